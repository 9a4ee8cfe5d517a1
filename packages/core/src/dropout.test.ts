import { useBackend } from '@strand/backend';
import { expectClose, expectGradientsMatch, expectNoLeakedTensors } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dropout } from './dropout.js';
import { ConfigError, ShapeError } from './errors.js';

describe.each(['cpu', 'wasm'] as const)('dropout on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('is the identity (a new tensor) when not training', async () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const y = await expectNoLeakedTensors(() => dropout(x, { rate: 0.5, training: false }));
    expect(y).not.toBe(x);
    expectClose(y, x, 0);
    tf.dispose([x, y]);
  });

  it('zeroes about `rate` of the elements and scales the rest by 1 / (1 - rate)', async () => {
    const x = tf.ones([100, 100]);
    const y = await expectNoLeakedTensors(() => dropout(x, { rate: 0.25, training: true, seed: 5 }));
    const v = y.dataSync();
    let zeros = 0;
    for (const e of v) {
      if (e === 0) zeros++;
      else expect(e).toBeCloseTo(4 / 3, 6);
    }
    expect(Math.abs(zeros / v.length - 0.25)).toBeLessThan(0.02);
    tf.dispose([x, y]);
  });

  it('gives the same mask for the same seed and a different one for another seed', () => {
    const x = tf.ones([8, 8]);
    const a = dropout(x, { rate: 0.5, training: true, seed: 1 });
    const b = dropout(x, { rate: 0.5, training: true, seed: 1 });
    const c = dropout(x, { rate: 0.5, training: true, seed: 2 });
    expectClose(a, b, 0);
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([x, a, b, c]);
  });

  it('pins the mask for seed 0, so it is the same on every backend', () => {
    const x = tf.ones([2, 4]);
    const y = dropout(x, { rate: 0.5, training: true, seed: 0 });
    // The first uniforms of createRng(0) are 0.301, 0.299, 0.469, ...: the first three are dropped.
    expect(Array.from(y.dataSync()).slice(0, 3)).toEqual([0, 0, 0]);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 2, 2, 0, 2, 0]);
    tf.dispose([x, y]);
  });

  it('shares one mask across broadcast axes with noiseShape', () => {
    const x = tf.ones([2, 5, 6]);
    const y = dropout(x, { rate: 0.5, training: true, seed: 3, noiseShape: [2, 1, 6] });
    const rows = tf.unstack(y, 1);
    for (const r of rows) expectClose(r, rows[0]!, 0);
    tf.dispose([x, y, ...rows]);
  });

  it('passes gradients through the kept elements only', () => {
    const x = tf.tensor2d([0.5, -1, 2, 0.3, 1.2, -0.4], [2, 3]);
    expectGradientsMatch(
      (xi) => tf.sum(tf.square(dropout(xi, { rate: 0.4, training: true, seed: 7 }))) as tf.Scalar,
      x,
      { h: 1e-2 },
    );
    x.dispose();
  });

  it('rejects a rate outside [0, 1), a missing seed and a bad noiseShape', () => {
    const x = tf.ones([2, 3]);
    expect(() => dropout(x, { rate: 1, training: true, seed: 0 })).toThrow(
      'dropout rate must be in [0, 1), received 1',
    );
    expect(() => dropout(x, { rate: -0.1, training: false })).toThrow(ConfigError);
    expect(() => dropout(x, { rate: 0.5, training: true })).toThrow(/needs a finite seed/);
    expect(() => dropout(x, { rate: 0.5, training: true, seed: 0, noiseShape: [3, 1] })).toThrow(ShapeError);
    x.dispose();
  });
});
