import { IdOutOfRangeError } from '@strand/base';
import { initLayerNorm, initLinear, layerNorm, linear } from '@strand/core';
import { expectClose, expectNoLeakedTensors, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, test } from 'vitest';
import { columnSum, gatherRows, layerNormFused, linearFused, setFusedMode } from './fused.js';

afterEach(() => setFusedMode('auto'));

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Values and gradients (w.r.t. every input) of sum(f(...) * w), as plain arrays. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): number[][] {
  return tf.tidy(() => {
    const y = f(...inputs);
    const w = rand(y.shape, 99);
    const gs = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs);
    return [y, ...gs].map((t) => Array.from(t.dataSync()));
  });
}

describe.each(['cpu', 'wasm'] as const)('fused transformer kernels on %s', (backend) => {
  test('columnSum sums every row: hand-computed, and equal to tf.sum', async () => {
    await useTestBackend(backend);
    const x = tf.tensor3d(
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [
          [7, 8, 9],
          [10, 11, 12],
        ],
      ],
      [2, 2, 3],
    );
    expectClose(columnSum(x), [22, 26, 30], 0);
    const big = rand([37, 5], 1);
    expectClose(columnSum(big), tf.sum(big, 0), 1e-5);
    setFusedMode('ops');
    expectClose(columnSum(x), [22, 26, 30], 0);
    tf.dispose([x, big]);
  });

  test('linearFused equals @strand/core linear in values and gradients, leak-free', async () => {
    await useTestBackend(backend);
    const p = initLinear({ inputSize: 6, outputSize: 5, seed: 2 });
    tf.tidy(() => p.bias!.assign(rand([5], 3)));
    const x = rand([3, 4, 6], 4);
    const f = (xs: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
      linearFused({ kernel: k as tf.Variable, bias: b as tf.Variable }, xs);
    const ref = (xs: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
      linear({ kernel: k as tf.Variable, bias: b as tf.Variable }, xs);
    const fused = valueAndGrads(f, [x, p.kernel, p.bias!]);
    const composite = valueAndGrads(ref, [x, p.kernel, p.bias!]);
    expect(fused.length).toBe(4);
    for (let i = 0; i < fused.length; i++) expectClose(fused[i]!, composite[i]!, 1e-5);
    await expectNoLeakedTensors(() => {
      const r = tf.variableGrads(() => tf.sum(linearFused(p, x)), [p.kernel, p.bias!]);
      tf.dispose([r.value, ...Object.values(r.grads)]);
    });
    tf.dispose([x, p.kernel, p.bias!]);
  });

  test('layerNormFused equals @strand/core layerNorm (PyTorch formula) in values and gradients', async () => {
    await useTestBackend(backend);
    const p = initLayerNorm({ size: 7 });
    tf.tidy(() => {
      p.gamma.assign(rand([7], 5));
      p.beta.assign(rand([7], 6));
    });
    // Rows with a large offset and a small spread: the centred variance must not cancel.
    const x = tf.tidy(() => tf.add(tf.mul(rand([2, 3, 7], 7), 0.5), 3));
    const as = (g: tf.Tensor, b: tf.Tensor) => ({ gamma: g as tf.Variable, beta: b as tf.Variable });
    const fused = valueAndGrads((xs, g, b) => layerNormFused(as(g!, b!), xs!, 1e-5), [x, p.gamma, p.beta]);
    const composite = valueAndGrads(
      (xs, g, b) => layerNorm(as(g!, b!), xs!, { epsilon: 1e-5 }),
      [x, p.gamma, p.beta],
    );
    for (let i = 0; i < fused.length; i++) expectClose(fused[i]!, composite[i]!, 1e-4);
    await expectNoLeakedTensors(() => {
      const r = tf.variableGrads(() => tf.sum(layerNormFused(p, x, 1e-5)), [p.gamma, p.beta]);
      tf.dispose([r.value, ...Object.values(r.grads)]);
    });
    tf.dispose([x, p.gamma, p.beta]);
  });

  test('gatherRows equals tf.gather (values and the scattered gradient) and rejects bad ids', async () => {
    await useTestBackend(backend);
    const table = rand([5, 3], 8) as tf.Tensor2D;
    const ids = tf.tensor2d(
      [
        [4, 0, 4],
        [2, 2, 1],
      ],
      [2, 3],
      'int32',
    );
    const fused = valueAndGrads((t) => gatherRows(t as tf.Tensor2D, ids), [table]);
    const ref = valueAndGrads((t) => tf.gather(t!, ids), [table]);
    expectClose(fused[0]!, ref[0]!, 0);
    expectClose(fused[1]!, ref[1]!, 1e-6);
    const bad = tf.tensor1d([1, 5], 'int32');
    expect(() => gatherRows(table, bad)).toThrow(IdOutOfRangeError);
    tf.dispose([table, ids, bad]);
  });
});
