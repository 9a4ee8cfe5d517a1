import { useBackend } from '@strand/backend';
import { expectClose, expectGradientsMatch, expectNoLeakedTensors } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from './errors.js';
import { initializers } from './initializers.js';
import { initLinear, linear } from './linear.js';
import { disposeParameters, namedParameters } from './params.js';

describe.each(['cpu', 'wasm'] as const)('linear on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('computes x W + b by hand', async () => {
    const p = initLinear({
      inputSize: 2,
      outputSize: 3,
      seed: 0,
      kernelInit: () => tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]),
      biasInit: initializers.constant(0.5),
    });
    const x = tf.tensor2d([1, -1, 2, 0.5], [2, 2]);
    const y = await expectNoLeakedTensors(() => linear(p, x));
    // [1, -1] W = [1-4, 2-5, 3-6] = [-3, -3, -3]; [2, .5] W = [2+2, 4+2.5, 6+3] = [4, 6.5, 9]
    expectClose(y, [
      [-2.5, -2.5, -2.5],
      [4.5, 7, 9.5],
    ]);
    tf.dispose([x, y]);
    disposeParameters(p);
  });

  it('applies to the last axis of rank-3 input and works without a bias', async () => {
    const p = initLinear({ inputSize: 4, outputSize: 2, bias: false, seed: 3 });
    expect(p.bias).toBeNull();
    expect([...namedParameters(p).keys()]).toEqual(['kernel']);
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1);
    const y = await expectNoLeakedTensors(() => linear(p, x));
    expect(y.shape).toEqual([2, 3, 2]);
    const flat = tf.matMul(tf.reshape(x, [6, 4]), p.kernel);
    expectClose(tf.reshape(y, [6, 2]), flat, 1e-6);
    tf.dispose([x, y, flat]);
    disposeParameters(p);
  });

  it('gives the same weights for the same seed and Glorot-scaled values', () => {
    const a = initLinear({ inputSize: 30, outputSize: 20, seed: 9 });
    const b = initLinear({ inputSize: 30, outputSize: 20, seed: 9 });
    expectClose(a.kernel, b.kernel, 0);
    expect(tf.max(tf.abs(a.kernel)).dataSync()[0]).toBeLessThanOrEqual(Math.sqrt(6 / 50));
    expectClose(a.bias!, new Array(20).fill(0), 0);
    disposeParameters([a, b]);
  });

  it('has gradients that match finite differences (input, kernel, bias)', () => {
    const p = initLinear({ inputSize: 3, outputSize: 2, seed: 1, biasInit: initializers.uniform() });
    const x = tf.tensor2d([0.3, -0.2, 0.9, 1.1, 0.4, -0.7], [2, 3]);
    const loss = (y: tf.Tensor) => tf.sum(tf.square(y)) as tf.Scalar;
    expectGradientsMatch((xi) => loss(linear(p, xi)), x, { h: 1e-2 });
    expectGradientsMatch((k) => loss(tf.add(tf.matMul(x, k), p.bias!)), p.kernel, { h: 1e-2 });
    const { grads } = tf.variableGrads(() => loss(linear(p, x)), [p.kernel, p.bias!]);
    // d/db sum(y²) = 2 · sum over the batch of y
    const y = linear(p, x);
    expectClose(grads[p.bias!.name]!, tf.mul(tf.sum(y, 0), 2), 1e-5);
    tf.dispose([x, y, ...Object.values(grads)]);
    disposeParameters(p);
  });

  it('names expected and received shapes on bad input', () => {
    const p = initLinear({ inputSize: 4, outputSize: 2, seed: 0 });
    const x = tf.zeros([2, 3]);
    expect(() => linear(p, x)).toThrow('linear input: expected shape [?, 4], received [2, 3]');
    const v = tf.zeros([4]);
    expect(() => linear(p, v)).toThrow(ShapeError);
    tf.dispose([x, v]);
    disposeParameters(p);
  });

  it('rejects bad sizes with ConfigError', () => {
    expect(() => initLinear({ inputSize: 0, outputSize: 2, seed: 0 })).toThrow(ConfigError);
    expect(() => initLinear({ inputSize: 2, outputSize: 2.5, seed: 0 })).toThrow(
      'outputSize must be a positive integer, received the number 2.5',
    );
  });
});

describe('linear types', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  it('returns the input rank type (compile-time check)', () => {
    const p = initLinear({ inputSize: 4, outputSize: 2, seed: 0 });
    const x3 = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const y3: tf.Tensor3D = linear(p, x3);
    const y2: tf.Tensor2D = linear(p, tf.zeros([5, 4]) as tf.Tensor2D);
    expect(y3.shape).toEqual([2, 3, 2]);
    expect(y2.shape).toEqual([5, 2]);
    tf.dispose([x3, y3, y2, p.kernel, p.bias!]);
  });
});
