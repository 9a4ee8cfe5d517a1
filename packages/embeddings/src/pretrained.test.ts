import { initializers } from '@strand/core';
import { expectClose, expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { embed } from './embedding.js';
import { KeyedVectors } from './keyed-vectors.js';
import { initEmbeddingFromVectors } from './pretrained.js';

/** Values as a flat array, read asynchronously (WebGPU in Node cannot read synchronously). */
async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

const kv = new KeyedVectors(['the', 'cat', 'sat'], Float32Array.of(1, 2, 3, 4, 5, 6), 2);

describe.each(testBackends())('initEmbeddingFromVectors on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('copies the vectors of known words, reports the rest and zeroes the padding row', async () => {
    const vocab = ['<pad>', 'cat', 'dog', 'The', 'sat'];
    const { params, missing, found } = await expectNoLeakedTensors(() =>
      initEmbeddingFromVectors(kv, vocab, { seed: 1, paddingIdx: 0, init: initializers.constant(9) }),
    );
    expect(missing).toEqual(['dog', 'The']);
    expect(found).toBe(2);
    expectClose(await read(params.weight), [
      [0, 0],
      [3, 4],
      [9, 9],
      [9, 9],
      [5, 6],
    ]);
    const lower = initEmbeddingFromVectors(kv, vocab, { seed: 1, lowercaseFallback: true });
    expect(lower.missing).toEqual(['<pad>', 'dog']);
    expectClose(await read(tf.gather(lower.params.weight, [3])), [[1, 2]]);
    const y = embed(params, [1, 4]);
    expectClose(await read(y), [
      [3, 4],
      [5, 6],
    ]);
    tf.dispose([params.weight, lower.params.weight, y]);
  });

  it('draws missing rows at the scale of the pretrained vectors by default, seeded', async () => {
    const vocab = Array.from({ length: 400 }, (_, i) => `w${i}`);
    const a = initEmbeddingFromVectors(kv, vocab, { seed: 3 });
    const b = initEmbeddingFromVectors(kv, vocab, { seed: 3 });
    expectClose(await read(a.params.weight), await read(b.params.weight), 0);
    const std = Math.sqrt((await tf.moments(a.params.weight).variance.data())[0]!);
    expect(Math.abs(std / Math.sqrt(35 / 12) - 1)).toBeLessThan(0.05); // std of 1..6
    tf.dispose([a.params.weight, b.params.weight]);
  });
});
