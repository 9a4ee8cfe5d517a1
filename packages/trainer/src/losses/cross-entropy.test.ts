import { ConfigError, IdOutOfRangeError, InputError, ShapeError } from '@strand/base';
import {
  expectClose,
  expectGradientsMatch,
  expectNoLeakedTensors,
  testBackends,
  useTestBackend,
} from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Nested } from '../../test/fixtures.js';
import { crossEntropy } from './cross-entropy.js';

interface CeCase {
  name: string;
  logits: Nested;
  targets: Nested;
  weight: number[] | null;
  ignoreIndex: number;
  labelSmoothing: number;
  reduction: 'mean' | 'sum' | 'none';
  loss: Nested;
  grad: Nested;
}
const F = fixture<{ crossEntropy: CeCase[] }>('losses');

async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}
function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

describe.each(testBackends())('crossEntropy on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it.each(F.crossEntropy.map((c) => [c.name, c] as const))(
    '%s: loss and gradient match F.cross_entropy',
    async (_, c) => {
      const logits = tf.tensor(c.logits as number[]);
      const targets = tf.tensor(c.targets as number[], undefined, 'int32');
      const options = {
        ignoreIndex: c.ignoreIndex,
        labelSmoothing: c.labelSmoothing,
        reduction: c.reduction,
        ...(c.weight ? { weight: c.weight } : {}),
        checkTargets: backend !== 'webgpu',
      };
      const loss = await expectNoLeakedTensors(() => crossEntropy(logits, targets, options));
      expect(loss.shape).toEqual(c.reduction === 'none' ? targets.shape : []);
      expectClose(await read(loss), flat(c.loss), 1e-5, 1e-5);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(crossEntropy(x, targets, options)))(logits);
      expectClose(await read(grad), flat(c.grad), 1e-6, 1e-4);
      tf.dispose([logits, targets, loss, grad]);
    },
  );

  it('the mask is the same as ignoreIndex', async () => {
    const c = F.crossEntropy.find((x) => x.name === '3d mean smoothing ignore')!;
    const logits = tf.tensor(c.logits as number[]);
    const targets = tf.tensor(c.targets as number[], undefined, 'int32');
    const mask = tf.cast(tf.notEqual(targets, tf.scalar(c.ignoreIndex, 'int32')), 'float32');
    // With a mask, targets at masked positions are ignored through the mask alone.
    const loss = crossEntropy(logits, targets, {
      mask,
      labelSmoothing: c.labelSmoothing,
      ignoreIndex: -100,
      checkTargets: false,
    });
    expectClose(await read(loss), flat(c.loss), 1e-5, 1e-5);
    tf.dispose([logits, targets, mask, loss]);
  });
});

describe('crossEntropy by hand', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('a uniform row costs ln C, whatever the target and the smoothing', () => {
    for (const C of [2, 5, 1000]) {
      const logits = tf.fill([3, C], 0.7);
      const targets = tf.tensor1d([0, C - 1, 1], 'int32');
      for (const labelSmoothing of [0, 0.1, 1]) {
        const loss = crossEntropy(logits, targets, { labelSmoothing });
        expect(loss.dataSync()[0]).toBeCloseTo(Math.log(C), 5);
        loss.dispose();
      }
      tf.dispose([logits, targets]);
    }
  });

  it('label smoothing has the closed form (1 - e) * nll + e * mean_c(-logp_c)', () => {
    const row = [2, -1, 0.5, 0];
    const lse = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    const logp = row.map((x) => x - lse);
    const e = 0.25;
    const want = (1 - e) * -logp[2]! + (e / 4) * -logp.reduce((s, x) => s + x, 0);
    const loss = crossEntropy(tf.tensor2d([row]), tf.tensor1d([2], 'int32'), { labelSmoothing: e });
    expect(loss.dataSync()[0]).toBeCloseTo(want, 6);
  });

  it('is log-sum-exp stable and all-ignored means 0 with zero gradient', () => {
    const logits = tf.tensor2d([[1e4, -1e4, 0]]);
    expect(crossEntropy(logits, tf.tensor1d([1], 'int32')).dataSync()[0]).toBeCloseTo(2e4, 0);
    const ignored = tf.tensor1d([-100], 'int32');
    expect(crossEntropy(logits, ignored).dataSync()[0]).toBe(0);
    const g = tf.grad((x: tf.Tensor) => crossEntropy(x, ignored, { labelSmoothing: 0.1 }) as tf.Scalar)(
      logits,
    );
    expect(Array.from(g.dataSync()).map(Math.abs)).toEqual([0, 0, 0]);
  });

  it('gradient matches finite differences (3-d, smoothing, weights, mask)', () => {
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 7);
    const targets = tf.tensor2d(
      [
        [0, 3, 1],
        [2, 2, -100],
      ],
      undefined,
      'int32',
    );
    const mask = tf.tensor2d([
      [1, 0.5, 1],
      [0, 1, 1],
    ]);
    const f = (l: tf.Tensor) =>
      crossEntropy(l, targets, { labelSmoothing: 0.2, weight: [1, 2, 0.5, 1.5], mask }) as tf.Scalar;
    expectGradientsMatch(f, x, { h: 1e-2, atol: 2e-3, rtol: 2e-2 });
  });

  it('names bad shapes, dtypes, targets and options', () => {
    const logits = tf.zeros([2, 3, 5]);
    const t = tf.zeros([2, 3], 'int32');
    expect(() => crossEntropy(logits, tf.zeros([3, 2], 'int32'))).toThrow(ShapeError);
    expect(() => crossEntropy(logits, tf.zeros([3, 2], 'int32'))).toThrow(
      'crossEntropy targets: expected shape [2, 3], received [3, 2]',
    );
    expect(() => crossEntropy(tf.zeros([5]), tf.zeros([], 'int32'))).toThrow(/rank >= 2/);
    expect(() => crossEntropy(logits, tf.zeros([2, 3]))).toThrow(InputError);
    expect(() => crossEntropy(logits, t, { mask: tf.ones([2]) })).toThrow(
      'crossEntropy mask: expected shape [2, 3], received [2]',
    );
    expect(() => crossEntropy(logits, t, { weight: [1, 2] })).toThrow(
      'crossEntropy weight: expected shape [5], received [2]',
    );
    expect(() => crossEntropy(logits, t, { labelSmoothing: 1.5 })).toThrow(ConfigError);
    expect(() => crossEntropy(logits, t, { reduction: 'avg' as never })).toThrow(
      /reduction must be one of 'mean', 'sum', 'none'/,
    );
    const bad = tf.tensor2d(
      [
        [0, 1, 5],
        [0, -100, 0],
      ],
      undefined,
      'int32',
    );
    expect(() => crossEntropy(logits, bad)).toThrow(IdOutOfRangeError);
    expect(() => crossEntropy(logits, bad)).toThrow(
      'crossEntropy target at index 2: expected an integer in [0, 5), received 5',
    );
    expect(() => crossEntropy(logits, bad, { ignoreIndex: 5 })).toThrow(/received -100/);
  });
});
