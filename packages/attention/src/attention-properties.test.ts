import { InputError } from '@strand/base';
import { disposeParameters } from '@strand/core';
import { expectClose, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { causalMask, fromTorchMask, lengthMask, toTorchMask } from './mask.js';
import { initMultiHeadAttention, multiHeadAttention } from './multi-head.js';
import { applyRope, sinusoidalEncoding } from './positional.js';
import { scaledDotProductAttention } from './scaled-dot-product.js';

describe('masks', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  test('causal, length and PyTorch conversions', () => {
    tf.tidy(() => {
      expectClose(causalMask(2, 3), [
        [1, 1, 0],
        [1, 1, 1],
      ]);
      expectClose(lengthMask([2, 0], 3), [
        [1, 1, 0],
        [0, 0, 0],
      ]);
      expectClose(fromTorchMask(tf.tensor2d([[true, false]], [1, 2], 'bool')), [[0, 1]]);
      expectClose(fromTorchMask(tf.tensor2d([[0, Number.NEGATIVE_INFINITY]])), [[1, 0]]);
      expect(Array.from(toTorchMask(tf.tensor1d([1, 0])).dataSync())).toEqual([0, 1]);
      expect(() => fromTorchMask(tf.tensor1d([0, -3]))).toThrow(InputError);
      expect(() => lengthMask([4], 3)).toThrow(/lengths\[0\]: expected an integer in \[0, 3\], received 4/);
    });
  });
});

describe('properties', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  test('changing a future token never changes an earlier causal output', () => {
    tf.tidy(() => {
      const m = initMultiHeadAttention({ embedDim: 8, numHeads: 2, seed: 1 });
      const x = tf.randomNormal([1, 5, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
      const y = tf.concat(
        [tf.slice(x, [0, 0, 0], [1, 3, 8]), tf.randomNormal([1, 2, 8], 0, 1, 'float32', 2)],
        1,
      ) as tf.Tensor3D;
      const a = multiHeadAttention(m, x, x, x, { causal: true }).output;
      const b = multiHeadAttention(m, y, y, y, { causal: true }).output;
      expectClose(tf.slice(a, [0, 0, 0], [1, 3, 8]), tf.slice(b, [0, 0, 0], [1, 3, 8]), 1e-6);
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-3); // the future did change
      disposeParameters(m.params);
    });
  });

  test('padding never changes unpadded outputs', () => {
    tf.tidy(() => {
      const m = initMultiHeadAttention({ embedDim: 4, numHeads: 2, seed: 2 });
      const q = tf.randomNormal([1, 2, 4], 0, 1, 'float32', 3) as tf.Tensor3D;
      const kv = tf.randomNormal([1, 3, 4], 0, 1, 'float32', 4) as tf.Tensor3D;
      const junk = tf.randomNormal([1, 2, 4], 0, 10, 'float32', 5);
      const padded = tf.concat([kv, junk], 1) as tf.Tensor3D;
      const plain = multiHeadAttention(m, q, kv, kv).output;
      const masked = multiHeadAttention(m, q, padded, padded, { keyPaddingMask: lengthMask([3], 5) }).output;
      expectClose(masked, plain, 1e-6);
      disposeParameters(m.params);
    });
  });

  test('permuting keys together with values leaves the output unchanged', () => {
    tf.tidy(() => {
      const q = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 6);
      const k = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 7);
      const v = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 8);
      const perm = tf.tensor1d([3, 0, 4, 1, 2], 'int32');
      const a = scaledDotProductAttention(q, k, v).output;
      const b = scaledDotProductAttention(q, tf.gather(k, perm, 1), tf.gather(v, perm, 1)).output;
      expectClose(b, a, 1e-6);
    });
  });

  test('key/value cache: one token at a time equals the full causal pass', () => {
    tf.tidy(() => {
      const m = initMultiHeadAttention({ embedDim: 8, numHeads: 4, seed: 3 });
      const x = tf.randomNormal([2, 6, 8], 0, 1, 'float32', 9) as tf.Tensor3D;
      const full = multiHeadAttention(m, x, x, x, { causal: true, rope: { style: 'half' } }).output;
      let cache = {
        key: tf.zeros([2, 4, 0, 2]) as tf.Tensor4D,
        value: tf.zeros([2, 4, 0, 2]) as tf.Tensor4D,
      };
      const steps: tf.Tensor[] = [];
      for (let t = 0; t < 6; t++) {
        const xt = tf.slice(x, [0, t, 0], [2, 1, 8]) as tf.Tensor3D;
        const r = multiHeadAttention(m, xt, xt, xt, { causal: true, cache, rope: { style: 'half' } });
        cache = r.cache!;
        steps.push(r.output);
      }
      expectClose(tf.concat(steps, 1), full, 1e-5);
      disposeParameters(m.params);
    });
  });

  test.each(['half', 'interleaved'] as const)(
    'RoPE (%s): q·k depends only on the relative position',
    (style) => {
      tf.tidy(() => {
        const q = tf.randomNormal([1, 8], 0, 1, 'float32', 10);
        const k = tf.randomNormal([1, 8], 0, 1, 'float32', 11);
        const score = (m: number, n: number) =>
          tf
            .sum(tf.mul(applyRope(q, { style, offset: m }), applyRope(k, { style, offset: n })))
            .dataSync()[0]!;
        expectClose(score(5, 2), score(3, 0), 1e-4);
        expectClose(score(17, 9), score(8, 0), 1e-4);
        expect(Math.abs(score(5, 2) - score(5, 4))).toBeGreaterThan(1e-3);
        // The two pairings are the same rotation up to a permutation of the features.
        const perm = tf.tensor1d([0, 4, 1, 5, 2, 6, 3, 7], 'int32'); // half -> interleaved order
        if (style === 'half') {
          const viaHalf = tf.gather(applyRope(q, { style: 'half', offset: 3 }), perm, 1);
          const viaInterleaved = applyRope(tf.gather(q, perm, 1), { style: 'interleaved', offset: 3 });
          expectClose(viaInterleaved, viaHalf, 1e-5);
        }
        // Rotation at position 0 is the identity.
        expectClose(applyRope(q, { style }), q, 1e-6);
      });
    },
  );

  test('sinusoidal table: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(...)', () => {
    tf.tidy(() => {
      const pe = sinusoidalEncoding(3, 4, 1).arraySync() as number[][];
      expectClose(pe[1]!, [Math.sin(2), Math.cos(2), Math.sin(2 / 100), Math.cos(2 / 100)], 1e-6);
    });
  });
});
