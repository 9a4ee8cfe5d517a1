import { deriveSeed, finiteNumber, positiveInteger } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from './errors.js';
import { createParameter, type Initializer, initializers } from './initializers.js';

/**
 * A dense layer's weights: y = x · kernel + bias.
 * (A `type`, not an `interface`: only type aliases are assignable to `Params`' index signature.)
 */
export type LinearParams = {
  /** [inputSize, outputSize] */
  readonly kernel: tf.Variable;
  /** [outputSize], or null when built without a bias. */
  readonly bias: tf.Variable | null;
};

export interface LinearConfig {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Default true. */
  readonly bias?: boolean;
  /** Default glorotUniform (Keras' Dense default). */
  readonly kernelInit?: Initializer;
  /** Default zeros. */
  readonly biasInit?: Initializer;
  /** The kernel uses deriveSeed(seed, 'kernel'), the bias deriveSeed(seed, 'bias'). */
  readonly seed: number;
}

/**
 * Creates a Linear layer's parameters.
 *
 * @example
 * const p = initLinear({ inputSize: 4, outputSize: 8, seed: 0 });
 * const y = linear(p, x); // x: [batch, 4] -> y: [batch, 8]
 */
export function initLinear(config: LinearConfig): LinearParams {
  const inputSize = positiveInteger(config.inputSize, 'inputSize');
  const outputSize = positiveInteger(config.outputSize, 'outputSize');
  const seed = finiteNumber(config.seed, 'seed');
  const kernel = createParameter(
    config.kernelInit ?? initializers.glorotUniform(),
    [inputSize, outputSize],
    deriveSeed(seed, 'kernel'),
  );
  const bias =
    config.bias === false
      ? null
      : createParameter(config.biasInit ?? initializers.zeros(), [outputSize], deriveSeed(seed, 'bias'));
  return { kernel, bias };
}

/**
 * y = x W + b over the last axis.
 * @param x [..., inputSize], rank ≥ 2
 * @returns [..., outputSize], of the same rank type as x (Tensor3D in, Tensor3D out)
 * @throws ShapeError when x's rank is below 2 or its last axis is not inputSize.
 */
export function linear(p: LinearParams, x: tf.Tensor2D): tf.Tensor2D;
export function linear(p: LinearParams, x: tf.Tensor3D): tf.Tensor3D;
export function linear(p: LinearParams, x: tf.Tensor4D): tf.Tensor4D;
export function linear(p: LinearParams, x: tf.Tensor): tf.Tensor;
export function linear(p: LinearParams, x: tf.Tensor): tf.Tensor {
  const [inputSize, outputSize] = p.kernel.shape as [number, number];
  if (x.rank < 2 || x.shape[x.rank - 1] !== inputSize) {
    const expected = x.rank < 2 ? [null, inputSize] : [...x.shape.slice(0, -1).map(() => null), inputSize];
    throw new ShapeError('linear input', expected, x.shape);
  }
  return tf.tidy(() => {
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, inputSize]); // [N, in]
    let y = tf.matMul(x2, p.kernel); // [N, out]
    if (p.bias !== null) y = tf.add(y, p.bias);
    return x.rank === 2 ? y : tf.reshape(y, [...lead, outputSize]); // [..., out]
  });
}
