/**
 * The polyphonic-music loss: at each time step, the sum over the 88 keys of the Bernoulli
 * negative log-likelihood of the next step's notes, in nats; reported as the mean per predicted
 * time step (Boulanger-Lewandowski et al. 2012; Chung et al. 2014; Bai et al. 2018).
 */
import * as tf from '@tensorflow/tfjs-core';
import { KEYS, type Roll } from './roll.js';

/**
 * Summed NLL over keys and unmasked steps, from logits z: softplus(z) - y z, computed stably as
 * max(z, 0) - y z + log(1 + exp(-|z|)). logits, targets [B, T, 88]; mask [B, T]. Returns a scalar.
 */
export function summedBernoulliNll(logits: tf.Tensor3D, targets: tf.Tensor3D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perKey = tf.add(
      tf.sub(tf.relu(logits), tf.mul(targets, logits)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    ); // [B, T, 88]
    const perStep = tf.sum(perKey, 2); // [B, T]
    return tf.sum(tf.mul(perStep, mask)) as tf.Scalar;
  });
}

/** The same NLL of one step, in plain numbers: probabilities p (of a key sounding) against 0/1 notes. */
export function stepNll(p: readonly number[], notes: readonly number[]): number {
  let s = 0;
  for (let k = 0; k < p.length; k++) s -= notes[k] ? Math.log(p[k]!) : Math.log(1 - p[k]!);
  return s;
}

/**
 * The independent-Bernoulli floor: each key sounds with its training frequency, whatever came
 * before. Frequencies are clamped to [1e-5, 1 - 1e-5] (keys never played in training).
 * Returns the key probabilities and the NLL per predicted step of `evalRolls` (steps 2..T, as the models).
 */
export function bernoulliFloor(
  train: readonly Roll[],
  evalRolls: readonly Roll[],
): { readonly probs: Float64Array; readonly natsPerStep: number } {
  const on = new Float64Array(KEYS);
  let steps = 0;
  for (const r of train) {
    for (let t = 0; t < r.time; t++) for (let k = 0; k < KEYS; k++) on[k]! += r.data[t * KEYS + k]!;
    steps += r.time;
  }
  const probs = on.map((c) => Math.min(1 - 1e-5, Math.max(1e-5, c / steps)));
  const logOn = probs.map(Math.log);
  const logOff = probs.map((p) => Math.log(1 - p));
  let nll = 0;
  let n = 0;
  for (const r of evalRolls) {
    for (let t = 1; t < r.time; t++) {
      for (let k = 0; k < KEYS; k++) nll -= r.data[t * KEYS + k] ? logOn[k]! : logOff[k]!;
      n++;
    }
  }
  return { probs, natsPerStep: nll / n };
}
