import { useBackend } from '@strand/backend';
import { expectClose, expectNoLeakedTensors } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from './errors.js';
import { computeFans, createParameter, type Initializer, initializers } from './initializers.js';

function stats(t: tf.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.dataSync();
  let s = 0;
  let s2 = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of v) {
    s += x;
    s2 += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min, max };
}

describe('computeFans', () => {
  it.each([
    [[], 1, 1],
    [[5], 5, 5],
    [[3, 7], 3, 7],
    [[2, 3, 4, 5], 24, 30],
  ])('%j -> fanIn %i, fanOut %i', (shape, fanIn, fanOut) => {
    expect(computeFans(shape)).toEqual({ fanIn, fanOut });
  });
});

describe.each(['cpu', 'wasm'] as const)('initializers on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('constant, zeros and ones give exact values', () => {
    expectClose(initializers.constant(2.5)([2, 2], 0), [2.5, 2.5, 2.5, 2.5], 0);
    expectClose(initializers.zeros()([3], 0), [0, 0, 0], 0);
    expectClose(initializers.ones()([1, 2], 0), [[1, 1]], 0);
  });

  it('matches the distribution each one promises (256×256 draws)', () => {
    const shape = [256, 256];
    const check = (init: Initializer, want: { mean: number; std: number; min?: number; max?: number }) => {
      const t = init(shape, 11);
      const s = stats(t);
      t.dispose();
      expect(t.dtype).toBe('float32');
      expect(Math.abs(s.mean - want.mean)).toBeLessThan(0.02 * want.std + 1e-4);
      expect(Math.abs(s.std / want.std - 1)).toBeLessThan(0.02);
      if (want.min !== undefined) expect(s.min).toBeGreaterThanOrEqual(want.min);
      if (want.max !== undefined) expect(s.max).toBeLessThanOrEqual(want.max);
    };
    const l = Math.sqrt(6 / 512);
    check(initializers.uniform({ min: 1, max: 3 }), { mean: 2, std: 2 / Math.sqrt(12), min: 1, max: 3 });
    check(initializers.normal({ mean: 1, stddev: 2 }), { mean: 1, std: 2 });
    // A normal truncated at ±2σ keeps 0.8796 of its standard deviation.
    check(initializers.truncatedNormal({ stddev: 1 }), { mean: 0, std: 0.8796, min: -2, max: 2 });
    check(initializers.glorotUniform(), { mean: 0, std: l / Math.sqrt(3), min: -l, max: l });
    check(initializers.glorotUniform({ gain: 2 }), { mean: 0, std: (2 * l) / Math.sqrt(3) });
    check(initializers.glorotNormal(), { mean: 0, std: Math.sqrt(2 / 512) });
    check(initializers.heUniform(), { mean: 0, std: Math.sqrt(6 / 256) / Math.sqrt(3) });
    check(initializers.heNormal(), { mean: 0, std: Math.sqrt(2 / 256) });
    check(initializers.lecunNormal(), { mean: 0, std: Math.sqrt(1 / 256) });
  });

  it('orthogonal gives orthonormal columns (tall) or rows (wide), scaled by gain', () => {
    for (const [shape, gain] of [
      [[8, 5], 1],
      [[5, 8], 2],
      [[6, 6], 1],
    ] as const) {
      const w = initializers.orthogonal({ gain })(shape, 3);
      const gram = shape[0] >= shape[1] ? tf.matMul(w, w, true, false) : tf.matMul(w, w, false, true);
      const n = Math.min(...shape);
      const eye = tf.mul(tf.eye(n), gain * gain);
      expectClose(gram, eye, 1e-5 * gain * gain);
      tf.dispose([w, gram, eye]);
    }
  });

  it('orthogonal rejects rank < 2 and identity rejects non-square shapes, naming the shape', () => {
    expect(() => initializers.orthogonal()([4], 0)).toThrow(ShapeError);
    expect(() => initializers.identity()([2, 3], 0)).toThrow(
      'identity initializer: expected shape [n, n] (square), received [2, 3]',
    );
  });

  it('identity is gain · I', () => {
    expectClose(initializers.identity({ gain: 0.5 })([2, 2], 0), [
      [0.5, 0],
      [0, 0.5],
    ]);
  });

  it('rejects bad options and shapes with ConfigError', () => {
    expect(() => initializers.uniform({ min: 1, max: 1 })).toThrow(ConfigError);
    expect(() => initializers.normal({ stddev: -1 })).toThrow(/stddev must be a positive/);
    expect(() => initializers.zeros()([2, -1], 0)).toThrow(/non-negative integers, received \[2, -1\]/);
    expect(() => initializers.ones()([1.5], 0)).toThrow(ConfigError);
  });

  it('handles empty shapes', () => {
    const t = initializers.glorotUniform()([0, 4], 1);
    expect(t.shape).toEqual([0, 4]);
    t.dispose();
  });

  it('createParameter makes distinct, non-leaking variables with a trainable flag', async () => {
    const [a, b] = await expectNoLeakedTensors(() => [
      createParameter(initializers.glorotUniform(), [3, 4], 5),
      createParameter(initializers.glorotUniform(), [3, 4], 5, { trainable: false }),
    ]);
    expect(a.name).not.toBe(b.name);
    expect(a.trainable).toBe(true);
    expect(b.trainable).toBe(false);
    expectClose(a, b, 0);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
    a.dispose();
    b.dispose();
  });
});

describe('seeded initializers give identical numbers on cpu and wasm', () => {
  it.each([
    'uniform',
    'normal',
    'truncatedNormal',
    'glorotUniform',
    'glorotNormal',
    'heUniform',
    'heNormal',
    'lecunNormal',
    'orthogonal',
  ] as const)('%s', async (name) => {
    const make = (): Float32Array => {
      const t = initializers[name]()([7, 5], 1234);
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return Float32Array.from(v);
    };
    await useBackend('cpu');
    const onCpu = make();
    await useBackend('wasm');
    const onWasm = make();
    expect(onWasm).toEqual(onCpu);
    const other = initializers[name]()([7, 5], 1235);
    expect(Float32Array.from(other.dataSync() as Float32Array)).not.toEqual(onCpu);
    other.dispose();
  });
});
