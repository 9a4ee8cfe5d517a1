import { createRng } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A variational dropout mask (Gal & Ghahramani 2016): one [batch, size] draw per sequence, reused at
 * every step. Entries are 0 with probability `rate` and 1 / (1 - rate) otherwise, drawn from core's
 * JavaScript PRNG, so a seed gives the same mask on every backend.
 */
export function sequenceDropoutMask(batch: number, size: number, rate: number, seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  const keep = 1 / (1 - rate);
  const values = new Float32Array(batch * size);
  for (let i = 0; i < values.length; i++) values[i] = rng.next() >= rate ? keep : 0;
  return tf.tensor2d(values, [batch, size]);
}

/** Elementwise inverted dropout of a whole [batch, time, features] tensor (used between stacked layers). */
export function elementDropout(x: tf.Tensor3D, rate: number, seed: number): tf.Tensor3D {
  const rng = createRng(seed);
  const keep = 1 / (1 - rate);
  const values = new Float32Array(x.size);
  for (let i = 0; i < values.length; i++) values[i] = rng.next() >= rate ? keep : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(values, x.shape)));
}
