import { positiveInteger } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from './errors.js';
import { createParameter, initializers } from './initializers.js';

/** Layer normalisation's learned scale and shift, each [size]. */
export type LayerNormParams = {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
};

/** gamma = 1, beta = 0 (deterministic, so there is no seed). */
export function initLayerNorm({ size }: { readonly size: number }): LayerNormParams {
  positiveInteger(size, 'size');
  return {
    gamma: createParameter(initializers.ones(), [size], 0),
    beta: createParameter(initializers.zeros(), [size], 0),
  };
}

/**
 * Layer normalisation over the last axis (Ba et al. 2016), as PyTorch's LayerNorm computes it:
 * y = (x - mean) / √(var + ε) · gamma + beta, with the biased variance (divided by n).
 * @param x [..., size]
 * @param epsilon added to the variance inside the square root; default 1e-5.
 * @returns [..., size]
 */
export function layerNorm(
  p: LayerNormParams,
  x: tf.Tensor,
  { epsilon = 1e-5 }: { epsilon?: number } = {},
): tf.Tensor {
  const size = p.gamma.shape[0]!;
  if (x.rank < 1 || x.shape[x.rank - 1] !== size) {
    throw new ShapeError('layerNorm input', [...x.shape.slice(0, -1).map(() => null), size], x.shape);
  }
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new ConfigError(`epsilon must be a positive finite number, received ${epsilon}`, 'epsilon');
  }
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true); // [..., 1]
    const centered = tf.sub(x, mean); // [..., size]
    const variance = tf.mean(tf.square(centered), -1, true); // [..., 1], biased
    const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normed, p.gamma), p.beta);
  });
}
