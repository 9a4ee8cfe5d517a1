import { createRng } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, formatShape, ShapeError } from './errors.js';

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1). */
  readonly rate: number;
  /** When false, dropout is the identity. */
  readonly training: boolean;
  /** Required when training with rate > 0: the same seed gives the same mask on every backend. */
  readonly seed?: number;
  /**
   * Shape of the mask, broadcast against x (same rank; each axis equal to x's or 1).
   * E.g. [batch, 1, features] keeps one mask across time (variational dropout).
   */
  readonly noiseShape?: readonly number[];
}

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate),
 * so the expected value is unchanged and evaluation needs no rescaling. The mask is drawn from core's
 * JavaScript PRNG (uniform u ≥ rate keeps an element), so it is identical on every backend.
 * The result is always a new tensor that the caller owns (a clone when not training).
 *
 * @example
 * const h = dropout(x, { rate: 0.1, training: true, seed: step });
 */
export function dropout(x: tf.Tensor, { rate, training, seed, noiseShape }: DropoutOptions): tf.Tensor {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new ConfigError(`dropout rate must be in [0, 1), received ${rate}`, 'rate');
  }
  const maskShape = noiseShape ?? x.shape;
  if (maskShape.length !== x.rank || maskShape.some((d, i) => d !== 1 && d !== x.shape[i])) {
    throw new ShapeError(
      'dropout noiseShape',
      `rank ${x.rank}, each axis equal to the input's ${formatShape(x.shape)} or 1`,
      [...maskShape],
    );
  }
  if (!training || rate === 0) return tf.clone(x);
  if (seed === undefined || !Number.isFinite(seed)) {
    throw new ConfigError(`dropout needs a finite seed when training, received ${seed}`, 'seed');
  }
  const rng = createRng(seed);
  const scale = 1 / (1 - rate);
  const mask = new Float32Array(maskShape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() >= rate ? scale : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, [...maskShape], 'float32')));
}
