import { InputError, ShapeError } from '@strand/base';
import {
  expectClose,
  expectGradientsMatch,
  expectNoLeakedTensors,
  testBackends,
  useTestBackend,
} from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, flat, type Nested } from '../../test/fixtures.js';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { meanSquaredError } from './mse.js';

interface BceCase {
  name: string;
  logits: Nested;
  targets: Nested;
  posWeight: number[] | null;
  weight: number[] | null;
  mask?: Nested;
  none: Nested;
  mean: number;
  sum: number;
  perStep: number;
  meanMasked?: number;
  sumMasked?: number;
  perStepGrad?: Nested;
}
interface MseFixture {
  pred: Nested;
  target: Nested;
  mean: number;
  sum: number;
  none: Nested;
}
const F = fixture<{ bce: BceCase[]; mse: MseFixture }>('losses');

async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe.each(testBackends())('binaryCrossEntropy and meanSquaredError on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it.each(F.bce.map((c) => [c.name, c] as const))(
    'bce %s matches binary_cross_entropy_with_logits',
    async (_, c) => {
      const x = tf.tensor(c.logits as number[]);
      const y = tf.tensor(c.targets as number[]);
      const mask = c.mask === undefined ? undefined : tf.tensor(c.mask as number[]);
      const base = {
        ...(c.posWeight ? { posWeight: c.posWeight } : {}),
        ...(c.weight ? { weight: c.weight } : {}),
      };
      const none = await expectNoLeakedTensors(() =>
        binaryCrossEntropy(x, y, { ...base, reduction: 'none' }),
      );
      expectClose(await read(none), flat(c.none), 1e-5, 1e-5);
      const withMask = mask === undefined ? base : { ...base, mask };
      const mean = binaryCrossEntropy(x, y, withMask);
      const sum = binaryCrossEntropy(x, y, { ...withMask, reduction: 'sum' });
      const perStep = binaryCrossEntropy(x, y, { ...withMask, reduction: 'per-step' });
      expectClose(await read(mean), [c.meanMasked ?? c.mean], 1e-5, 1e-5);
      expectClose(await read(sum), [c.sumMasked ?? c.sum], 1e-4, 1e-5);
      expectClose(await read(perStep), [c.perStep], 1e-5, 1e-5);
      if (c.perStepGrad !== undefined) {
        const g = tf.grad(
          (v: tf.Tensor) => binaryCrossEntropy(v, y, { ...withMask, reduction: 'per-step' }) as tf.Scalar,
        )(x);
        expectClose(await read(g), flat(c.perStepGrad), 1e-6, 1e-4);
        g.dispose();
      }
      tf.dispose([x, y, none, mean, sum, perStep, ...(mask ? [mask] : [])]);
    },
  );

  it('mse matches F.mse_loss', async () => {
    const p = tf.tensor(F.mse.pred as number[]);
    const t = tf.tensor(F.mse.target as number[]);
    const mean = await expectNoLeakedTensors(() => meanSquaredError(p, t));
    expectClose(await read(mean), [F.mse.mean], 1e-6, 1e-5);
    const sum = meanSquaredError(p, t, { reduction: 'sum' });
    expectClose(await read(sum), [F.mse.sum], 1e-5, 1e-5);
    const none = meanSquaredError(p, t, { reduction: 'none' });
    expectClose(await read(none), flat(F.mse.none), 1e-6, 1e-5);
    // per-step = sum over the last axis (4) / steps (6) = 4 * mean
    const perStep = meanSquaredError(p, t, { reduction: 'per-step' });
    expectClose(await read(perStep), [4 * F.mse.mean], 1e-5, 1e-5);
    tf.dispose([p, t, mean, sum, none, perStep]);
  });
});

describe('losses by hand', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('bce of logit 0 is ln 2 per label; extreme logits stay finite', () => {
    const zero = binaryCrossEntropy(tf.zeros([2, 3, 88]), tf.ones([2, 3, 88]), { reduction: 'per-step' });
    expect(zero.dataSync()[0]).toBeCloseTo(88 * Math.LN2, 3);
    const big = binaryCrossEntropy(tf.tensor2d([[1e4, -1e4]]), tf.tensor2d([[0, 1]]), { reduction: 'none' });
    expect(Array.from(big.dataSync())).toEqual([1e4, 1e4]);
  });

  it('masked steps count for nothing, in the value and the gradient', () => {
    const x = tf.randomNormal([2, 3, 4], 0, 2, 'float32', 3);
    const y = tf.cast(tf.greater(tf.randomUniform([2, 3, 4], 0, 1, 'float32', 4), 0.5), 'float32');
    const mask = tf.tensor2d([
      [1, 1, 0],
      [1, 0, 0],
    ]);
    const f = (v: tf.Tensor) => binaryCrossEntropy(v, y, { mask, reduction: 'per-step' }) as tf.Scalar;
    const g = tf.grad(f)(x).arraySync() as number[][][];
    expect(g[0]![2]!.every((v) => v === 0) && g[1]![1]!.every((v) => v === 0)).toBe(true);
    expectGradientsMatch(f, x, { h: 1e-2, atol: 1e-3, rtol: 1e-2 });
    const m = (v: tf.Tensor) => meanSquaredError(v, y, { mask }) as tf.Scalar;
    expectGradientsMatch(m, x, { h: 1e-2, atol: 1e-3, rtol: 1e-2 });
    // everything masked: 0, not NaN
    const none = binaryCrossEntropy(x, y, { mask: tf.zeros([2, 3]), reduction: 'per-step' });
    expect(none.dataSync()[0]).toBe(0);
  });

  it('names bad shapes and options', () => {
    const x = tf.zeros([2, 3, 4]);
    expect(() => binaryCrossEntropy(x, tf.zeros([2, 3]))).toThrow(
      'binaryCrossEntropy targets: expected shape [2, 3, 4], received [2, 3]',
    );
    expect(() => binaryCrossEntropy(x, x, { mask: tf.zeros([2, 3, 4]) })).toThrow(ShapeError);
    expect(() => binaryCrossEntropy(x, x, { posWeight: [1, 2] })).toThrow(
      'binaryCrossEntropy posWeight: expected shape [4], received [2]',
    );
    expect(() => binaryCrossEntropy(x, x, { weight: tf.zeros([3, 3]) })).toThrow(/binaryCrossEntropy weight/);
    expect(() => binaryCrossEntropy(x, tf.zeros([2, 3, 4], 'int32'))).toThrow(InputError);
    expect(() => binaryCrossEntropy(x, x, { reduction: 'max' as never })).toThrow(/reduction must be one of/);
    expect(() => meanSquaredError(x, tf.zeros([4]))).toThrow(ShapeError);
  });
});
