import { ConfigError, IdOutOfRangeError, ShapeError } from '@strand/base';
import { disposeParameters, namedParameters } from '@strand/core';
import { expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SequenceClassifier, sequenceClassifier } from './classifier.js';
import { LanguageModel, languageModel } from './language-model.js';
import { sequenceLogProbs, sequenceLogProbsAsync } from './log-prob.js';
import { type RecurrentStack, runStack } from './recurrent.js';
import { createModel, registerModel } from './registry.js';
import { sequenceTagger } from './tagger.js';

/**
 * log p(s_1..s_n | s_0) by one full forward (no chunking, no batching): the reference. Reads
 * asynchronously, so it runs on every backend.
 */
async function referenceLogProb(lm: LanguageModel, seq: readonly number[]): Promise<number> {
  const logp = tf.tidy(() => {
    const state = lm.initialState(1);
    const x = tf.tensor2d(seq.slice(0, -1), [1, seq.length - 1], 'int32');
    const { logits } = lm.forward(x, state, { training: false });
    return tf.logSoftmax(logits);
  });
  const lp = ((await logp.array()) as number[][][])[0]!;
  logp.dispose();
  let total = 0;
  for (let t = 1; t < seq.length; t++) total += lp[t - 1]![seq[t]!]!;
  return total;
}

// These checks read the device asynchronously, so they run on every backend, WebGPU included
// (SwiftShader in CI: tiny shapes). The synchronous SequenceModel calls are checked against their
// async twins on cpu and wasm below.
describe.each(testBackends())('recurrent models on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('a language model maps ids [B, T] to logits [B, T, V] and carries the state', async () => {
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const lm = languageModel({ vocabSize: 7, units: 6, layers: 2, cell, residual: true, seed: 1 });
      await expectNoLeakedTensors(async () => {
        const s0 = lm.initialState(2);
        const ids = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
        const full = lm.forward(ids, s0, { training: false });
        expect(full.logits.shape).toEqual([2, 3, 7]);
        // Two halves with the state carried give the same logits as one call.
        const head = tf.slice(ids, [0, 0], [2, 2]) as tf.Tensor2D;
        const rest = tf.slice(ids, [0, 2], [2, 1]) as tf.Tensor2D;
        const a = lm.forward(head, s0, { training: false });
        const b = lm.forward(rest, a.state, { training: false });
        const whole = await full.logits.array();
        const tail = await b.logits.array();
        for (let r = 0; r < 2; r++)
          for (let v = 0; v < 7; v++) expect(tail[r]![0]![v]).toBeCloseTo(whole[r]![2]![v]!, 5);
        tf.dispose([ids, head, rest, full.logits, a.logits, b.logits]);
        for (const s of [s0, full.state, a.state, b.state]) lm.disposeState(s);
      });
      disposeParameters(lm.params);
    }
  });

  it('folds the first cell input projection into the table: same logits and gradients as embed + rnn', async () => {
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const lm = languageModel({ vocabSize: 7, units: 5, embeddingDim: 3, layers: 2, cell, seed: 4 });
      const stack = (lm as unknown as { stack: RecurrentStack }).stack;
      const ids = tf.tensor2d([1, 2, 3, 4, 5, 6, 0, 2], [2, 4], 'int32');
      const vars = [...namedParameters(lm.params).values()] as tf.Variable[];
      const folded = () => {
        const s0 = lm.initialState(2);
        const { logits, state } = lm.forward(ids, s0, { training: true, seed: 1 });
        lm.disposeState(state);
        return tf.sum(tf.mul(logits, tf.sin(tf.reshape(tf.range(0, 56), [2, 4, 7]))));
      };
      const reference = () => {
        // The unfolded graph: embed, run every layer on its inputs, project.
        const x = tf.gather(lm.params.embedding.weight, ids) as tf.Tensor3D;
        const { outputs } = runStack(stack, x, undefined, { training: true, seed: 1 });
        const head = lm.params.head as { kernel: tf.Tensor2D; bias: tf.Tensor1D };
        const logits = tf.reshape(
          tf.add(tf.matMul(tf.reshape(outputs, [8, 5]), head.kernel), head.bias),
          [2, 4, 7],
        );
        return tf.sum(tf.mul(logits, tf.sin(tf.reshape(tf.range(0, 56), [2, 4, 7]))));
      };
      const a = tf.variableGrads(folded as () => tf.Scalar, vars);
      const b = tf.variableGrads(reference as () => tf.Scalar, vars);
      expect((await a.value.data())[0]).toBeCloseTo((await b.value.data())[0]!, 4);
      for (const name of Object.keys(b.grads)) {
        const ga = await a.grads[name]!.data();
        const gb = await b.grads[name]!.data();
        expect(ga.length).toBe(gb.length);
        for (let i = 0; i < gb.length; i++) expect(ga[i]).toBeCloseTo(gb[i]!, 4);
      }
      tf.dispose([ids, a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
      disposeParameters(lm.params);
    }
  });

  it('ties the output projection to the embedding table', () => {
    const lm = languageModel({ vocabSize: 9, units: 4, tieWeights: true, seed: 2 });
    const names = [...namedParameters(lm.params).keys()];
    expect(names).toContain('embedding.weight');
    expect(names).toContain('head.bias');
    expect(names.some((n) => n.startsWith('head.kernel'))).toBe(false);
    expect(() => languageModel({ vocabSize: 9, units: 4, embeddingDim: 3, tieWeights: true })).toThrow(
      ConfigError,
    );
    disposeParameters(lm.params);
  });

  it('logProb and perplexity agree with a hand-run forward, across chunks and batches', async () => {
    const lm = languageModel({ vocabSize: 5, units: 8, cell: 'gru', seed: 3 });
    const seqs = [
      [0, 1, 2, 3, 4, 0, 1],
      [4, 4, 3],
      [2, 1],
    ];
    const ref: number[] = [];
    for (const s of seqs) ref.push(await referenceLogProb(lm, s));
    for (let i = 0; i < seqs.length; i++) expect(await lm.logProbAsync(seqs[i]!)).toBeCloseTo(ref[i]!, 4);
    // Batched (longest first, padded, masked) and chunked (state carried) give the same values.
    const batched = await expectNoLeakedTensors(() =>
      sequenceLogProbsAsync(lm, seqs, null, { batchSize: 2, chunkLength: 2 }),
    );
    for (let i = 0; i < seqs.length; i++) expect(batched[i]).toBeCloseTo(ref[i]!, 4);
    // The perplexity counts every predicted symbol (all but the first of each sequence).
    const events = seqs.reduce((n, s) => n + s.length - 1, 0);
    expect(await lm.perplexityAsync(seqs)).toBeCloseTo(Math.exp(-ref.reduce((a, b) => a + b) / events), 4);
    // With a start symbol, the first symbol is scored too.
    const withBos = new LanguageModel({ ...lm.config, bosId: 0 });
    expect(await withBos.logProbAsync([1, 2])).toBeCloseTo(await referenceLogProb(withBos, [0, 1, 2]), 4);
    disposeParameters(lm.params);
    disposeParameters(withBos.params);
  });

  it('names shapes and ids that do not fit', async () => {
    const lm = languageModel({ vocabSize: 5, units: 4 });
    const ids = tf.tensor1d([1, 2], 'int32');
    expect(() => lm.forward(ids as unknown as tf.Tensor2D, lm.initialState(1), { training: false })).toThrow(
      /ids: expected shape \[\?, \?\], received \[2\]/,
    );
    expect(() => lm.forward(ids as unknown as tf.Tensor2D, lm.initialState(1), { training: false })).toThrow(
      ShapeError,
    );
    expect(() => lm.logProb([1, 7])).toThrow(IdOutOfRangeError); // checked before any read
    await expect(lm.logProbAsync([1, 7])).rejects.toThrow(IdOutOfRangeError);
    expect(() => languageModel({ vocabSize: 0, units: 4 })).toThrow(/vocabSize/);
    expect(() => languageModel({ vocabSize: 5, units: 4, cell: 'lstmx' as 'lstm' })).toThrow(ConfigError);
    ids.dispose();
    disposeParameters(lm.params);
  });

  it('a classifier pools over the valid steps only, whatever the padding holds', async () => {
    for (const pooling of ['last', 'mean', 'max', 'attention'] as const) {
      const m = sequenceClassifier({ vocabSize: 10, numClasses: 3, units: 5, pooling, seed: 4 });
      const run = async (ids: number[], mask: number[]) => {
        const logits = tf.tidy(
          () =>
            m.forward(tf.tensor2d(ids, [1, ids.length], 'int32'), null, {
              training: false,
              mask: tf.tensor2d(mask, [1, mask.length]),
            }).logits,
        );
        const v = ((await logits.array()) as number[][])[0]!;
        logits.dispose();
        return v;
      };
      const short = await run([3, 4, 5], [1, 1, 1]);
      const paddedA = await run([3, 4, 5, 0, 0], [1, 1, 1, 0, 0]);
      const paddedB = await run([3, 4, 5, 9, 7], [1, 1, 1, 0, 0]);
      for (let c = 0; c < 3; c++) {
        expect(paddedA[c]).toBeCloseTo(short[c]!, 5);
        expect(paddedB[c]).toBeCloseTo(short[c]!, 5);
      }
      disposeParameters(m.params);
    }
  });

  it('mean pooling is the mean of the encoder outputs over the mask (hand check)', async () => {
    const { pool } = await import('./classifier.js');
    const out = tf.tensor3d([1, 2, 3, 4, 100, 100], [1, 3, 2]);
    const mask = tf.tensor2d([1, 1, 0], [1, 3]);
    const mean = pool('mean', out, mask, null);
    const max = pool('max', out, mask, null);
    expect(await mean.array()).toEqual([[2, 3]]);
    expect(await max.array()).toEqual([[3, 4]]);
    tf.dispose([out, mask, mean, max]);
  });

  it('a tagger is bidirectional by default and gives one row of logits per step', () => {
    const m = sequenceTagger({ vocabSize: 10, numTags: 4, units: 3, seed: 5 });
    expect(m.config.bidirectional).toBeUndefined();
    expect([...namedParameters(m.params).keys()].some((k) => k.includes('backward'))).toBe(true);
    const logits = tf.tidy(
      () => m.forward(tf.tensor2d([1, 2, 3, 0], [2, 2], 'int32'), null, { training: false }).logits,
    );
    expect(logits.shape).toEqual([2, 2, 4]);
    logits.dispose();
    disposeParameters(m.params);
  });

  it('createModel rebuilds any model from its JSON config, with the same weights', async () => {
    const configs = [
      languageModel({ vocabSize: 6, units: 4, layers: 2, dropout: 0.1, seed: 9 }),
      sequenceClassifier({ vocabSize: 6, numClasses: 2, units: 3, pooling: 'attention', seed: 9 }),
      sequenceTagger({ vocabSize: 6, numTags: 3, units: 3, seed: 9 }),
    ];
    for (const m of configs) {
      const copy = createModel(JSON.parse(JSON.stringify(m.config)));
      expect(copy.config).toEqual(m.config);
      const a = namedParameters(m.params);
      const b = namedParameters(copy.params);
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [k, v] of a) expect(await b.get(k)!.array()).toEqual(await v.array());
      disposeParameters(m.params);
      disposeParameters(copy.params);
    }
    expect(() => createModel({ kind: 'nope' })).toThrow(/unknown model kind "nope"; known: language-model/);
    registerModel(
      'custom-test',
      (c) => new SequenceClassifier({ ...(c as object), kind: 'sequence-classifier' } as never),
    );
    const custom = createModel({ kind: 'custom-test', vocabSize: 3, numClasses: 2, units: 2 });
    expect(custom).toBeInstanceOf(SequenceClassifier);
    disposeParameters(custom.params);
  });
});

// LanguageModel's SequenceModel calls (logProb, perplexity, sample) read synchronously, which WebGPU
// in Node cannot (tfjs' readSync needs OffscreenCanvas): checked on cpu and wasm, against their async
// twins (one algorithm, two readers: the values must be identical).
describe.each(testBackends().filter((b) => b !== 'webgpu'))(
  'synchronous SequenceModel calls on %s',
  (backend) => {
    beforeAll(async () => {
      await useTestBackend(backend);
    });

    it('logProb, perplexity and sample equal logProbAsync, perplexityAsync and sampleAsync exactly', async () => {
      for (const bosId of [null, 1]) {
        const lm = languageModel({ vocabSize: 6, units: 5, layers: 2, cell: 'lstm', bosId, seed: 8 });
        const seqs = [[0, 1, 2, 3, 4, 5, 0], [5, 4], [3], [2, 2, 2, 1]];
        for (const s of seqs) expect(lm.logProb(s)).toBe(await lm.logProbAsync(s));
        expect(lm.perplexity(seqs)).toBe(await lm.perplexityAsync(seqs));
        const o = { batchSize: 3, chunkLength: 2 };
        const sync = await expectNoLeakedTensors(() => sequenceLogProbs(lm, seqs, bosId, o));
        expect(sync).toEqual(await sequenceLogProbsAsync(lm, seqs, bosId, o));
        expect(Array.from(lm.sample(9, { seed: 3, temperature: 0.8 }))).toEqual(
          Array.from(await lm.sampleAsync(9, { seed: 3, temperature: 0.8 })),
        );
        disposeParameters(lm.params);
      }
    });
  },
);
