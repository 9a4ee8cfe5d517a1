import { useBackend } from '@strand/backend';
import { expectClose, expectGradientsMatch, expectNoLeakedTensors } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { initLayerNorm, layerNorm } from './layer-norm.js';
import { disposeParameters } from './params.js';

describe.each(['cpu', 'wasm'] as const)('layerNorm on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('matches a hand computation (biased variance, eps inside the root)', async () => {
    const p = initLayerNorm({ size: 4 });
    p.gamma.assign(tf.tensor1d([1, 2, 0.5, -1]));
    p.beta.assign(tf.tensor1d([0, 1, 0, 0.25]));
    const x = tf.tensor2d([1, 2, 3, 4, -2, 0, 0, 2], [2, 4]);
    const y = await expectNoLeakedTensors(() => layerNorm(p, x, { epsilon: 1e-5 }));
    // Row 1: mean 2.5, var = (2.25 + .25 + .25 + 2.25) / 4 = 1.25. Row 2: mean 0, var = 8 / 4 = 2.
    const r1 = Math.sqrt(1.25 + 1e-5);
    const r2 = Math.sqrt(2 + 1e-5);
    expectClose(
      y,
      [
        [-1.5 / r1, (2 * -0.5) / r1 + 1, (0.5 * 0.5) / r1, -1.5 / r1 + 0.25],
        [-2 / r2, 1, 0, -2 / r2 + 0.25],
      ],
      1e-5,
    );
    tf.dispose([x, y]);
    disposeParameters(p);
  });

  it('normalises each row of a rank-3 input to mean 0 and variance 1 with default params', async () => {
    const p = initLayerNorm({ size: 8 });
    const x = tf.add(tf.mul(tf.randomNormal([2, 3, 8], 0, 1, 'float32', 2), 5), 3);
    const y = await expectNoLeakedTensors(() => layerNorm(p, x));
    const { mean, variance } = tf.moments(y, -1);
    expectClose(mean, tf.zeros([2, 3]), 1e-5);
    expectClose(variance, tf.ones([2, 3]), 1e-3);
    tf.dispose([x, y, mean, variance]);
    disposeParameters(p);
  });

  it('has gradients that match finite differences (input, gamma, beta)', () => {
    const p = initLayerNorm({ size: 3 });
    p.gamma.assign(tf.tensor1d([0.5, -1.5, 2]));
    const x = tf.tensor2d([0.3, -1.2, 0.9, 2.1, 0.4, -0.7], [2, 3]);
    const w = tf.tensor2d([1, -2, 0.5, 0.3, 1.5, -1], [2, 3]); // breaks the symmetry of sum(y)
    const loss = (y: tf.Tensor) => tf.sum(tf.mul(tf.square(y), w)) as tf.Scalar;
    expectGradientsMatch((xi) => loss(layerNorm(p, xi)), x, { h: 1e-2, atol: 5e-3 });
    expectGradientsMatch((g) => loss(layerNorm({ gamma: g as tf.Variable, beta: p.beta }, x)), p.gamma, {
      h: 1e-2,
    });
    expectGradientsMatch((b) => loss(layerNorm({ gamma: p.gamma, beta: b as tf.Variable }, x)), p.beta, {
      h: 1e-2,
    });
    tf.dispose([x, w]);
    disposeParameters(p);
  });

  it('names expected and received shapes, and rejects a bad epsilon', () => {
    const p = initLayerNorm({ size: 4 });
    const x = tf.zeros([2, 5]);
    expect(() => layerNorm(p, x)).toThrow('layerNorm input: expected shape [?, 4], received [2, 5]');
    const ok = tf.zeros([1, 4]);
    expect(() => layerNorm(p, ok, { epsilon: 0 })).toThrow(ConfigError);
    expect(() => initLayerNorm({ size: -1 })).toThrow(ConfigError);
    tf.dispose([x, ok]);
    disposeParameters(p);
  });
});
