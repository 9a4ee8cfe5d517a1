/**
 * Negative log-likelihood per time step: how the loss depends on the position in the sequence
 * (a recurrent model that carries context well has a falling curve). Logits [B, T, C] and int32
 * targets [B, T] give, per step t, the summed NLL and the count of counted positions; a meter
 * adds these up across batches. One device read per call.
 */
import { ShapeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, validateTargets } from '../losses/cross-entropy.js';
import type { AccuracyOptions } from './accuracy.js';

export interface StepNll {
  /** Summed NLL (nats) at each step, [T]. */
  readonly sum: Float64Array;
  /** Counted positions at each step, [T]. */
  readonly count: Float64Array;
}

/** Per-step NLL sums and counts for one batch (one asynchronous read). */
export async function nllPerStep(
  logits: tf.Tensor,
  targets: tf.Tensor,
  options: AccuracyOptions = {},
): Promise<StepNll> {
  if (logits.rank !== 3) throw new ShapeError('nllPerStep logits', '[B, T, C]', logits.shape);
  const ignoreIndex = options.ignoreIndex ?? -100;
  await validateTargets(targets, logits.shape[2]!, { ignoreIndex });
  const t = tf.tidy(() => {
    const nll = crossEntropy(logits, targets, {
      reduction: 'none',
      ignoreIndex,
      checkTargets: false, // checked above, asynchronously
      ...(options.mask ? { mask: options.mask } : {}),
    }); // [B, T], 0 where not counted
    let valid = tf.cast(tf.notEqual(targets, tf.scalar(ignoreIndex, 'int32')), 'float32');
    if (options.mask) valid = tf.mul(valid, options.mask);
    return tf.stack([tf.sum(nll, 0), tf.sum(valid, 0)]); // [2, T]
  });
  const v = await t.data();
  t.dispose();
  const T = logits.shape[1]!;
  return { sum: Float64Array.from(v.subarray(0, T)), count: Float64Array.from(v.subarray(T, 2 * T)) };
}

/** Adds StepNll results (of any lengths); `value` is the mean NLL per step (NaN where nothing was counted). */
export class StepNllMeter {
  #sum = new Float64Array(0);
  #count = new Float64Array(0);

  add(step: StepNll): this {
    const n = Math.max(this.#sum.length, step.sum.length);
    if (n > this.#sum.length) {
      const s = new Float64Array(n);
      s.set(this.#sum);
      const c = new Float64Array(n);
      c.set(this.#count);
      this.#sum = s;
      this.#count = c;
    }
    for (let i = 0; i < step.sum.length; i++) {
      this.#sum[i]! += step.sum[i]!;
      this.#count[i]! += step.count[i]!;
    }
    return this;
  }

  get value(): Float64Array {
    return this.#sum.map((s, i) => (this.#count[i] === 0 ? Number.NaN : s / this.#count[i]!));
  }

  reset(): void {
    this.#sum = new Float64Array(0);
    this.#count = new Float64Array(0);
  }
}
