// Built by Vite from the BUILT packages, as an application would. Each check returns plain data
// that the test compares with what Node computes; results land on window.__strand.

import { registerProvider, useBackend, wasmProvider } from '@strand/backend';
import { webgpuProvider } from '@strand/backend-webgpu';
import { parseSafetensors, serializeSafetensors } from '@strand/core';
import { embed, initEmbedding } from '@strand/embeddings';
import { fitMarkovChain } from '@strand/markov';
import { BPETokenizer, CharTokenizer, Tokenizer } from '@strand/tokenizers';
import * as tf from '@tensorflow/tfjs-core';

const corpus = 'To be, or not to be, that is the question: naïve café, 東京, emoji 👩‍👩‍👧!';

async function embeddingGradient(backend: 'wasm' | 'webgpu'): Promise<number[]> {
  await useBackend(backend);
  const p = initEmbedding({ vocabSize: 5, dim: 2, seed: 7 });
  const { grads } = tf.variableGrads(() => tf.sum(embed(p, [1, 3, 3, 4])) as tf.Scalar, [p.weight]);
  const g = Array.from(await grads[p.weight.name]!.data());
  tf.dispose(grads);
  p.weight.dispose();
  return g;
}

async function main(): Promise<Record<string, unknown>> {
  registerProvider(webgpuProvider());
  registerProvider(wasmProvider({ wasmPaths: '/wasm/' }));
  const char = CharTokenizer.train(corpus);
  const bpe = BPETokenizer.train(corpus.repeat(3), { vocabSize: 300 });
  const bpeIds = bpe.encodeIds(corpus);
  await useBackend('wasm');
  const bytes = await serializeSafetensors({
    w: tf.tensor2d([
      [1.5, -2],
      [3, 4.25],
    ]),
  });
  const parsed = parseSafetensors(bytes);
  const chain = fitMarkovChain([[0, 1, 0, 1, 1, 0]], { order: 1, numSymbols: 2 });
  return {
    charIds: char.encodeIds('to be'),
    charRoundTrip: char.decode(char.encodeIds(corpus)) === corpus,
    bpeRoundTrip: bpe.decode(bpeIds) === corpus,
    bpeJsonSame:
      Tokenizer.fromJSON(JSON.parse(JSON.stringify(bpe.toJSON())))
        .encodeIds(corpus)
        .join() === bpeIds.join(),
    bpeIds,
    safetensors: Array.from(await parsed.tensors.get('w')!.data()),
    markovLogProb: chain.logProb([0, 1, 1]),
    gradWasm: await embeddingGradient('wasm'),
    gradWebgpu: await embeddingGradient('webgpu').catch((e: Error) => `error: ${e.message}`),
  };
}

main()
  .then((r) => {
    (window as { __strand?: unknown }).__strand = r;
    document.getElementById('out')!.textContent = JSON.stringify(r, null, 2);
  })
  .catch((e: Error) => {
    (window as { __strand?: unknown }).__strand = { fatal: String(e.stack ?? e) };
  });
