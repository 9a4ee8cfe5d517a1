/**
 * The adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015): each step carries a
 * value in [0, 1) and a marker; exactly two steps are marked, one in each half, and the target is the
 * sum of their values. The loss sits only at the last step, so a network learns it only if the gradient
 * reaches back to the marked steps: the vanishing-gradient problem made measurable.
 * Predicting the mean (1) gives mean squared error Var(U + U') = 1/6: the floor to beat.
 */
import type { Rng } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';

export interface AddingBatch {
  /** [batch, time, 2]: value, marker. */
  readonly inputs: tf.Tensor3D;
  /** [batch, 1] */
  readonly targets: tf.Tensor2D;
}

/** MSE of always predicting the mean sum (1): Var(U + U') for two independent U(0, 1). */
export const ADDING_BASELINE_MSE = 1 / 6;

export function addingBatch(batch: number, time: number, rng: Rng): AddingBatch {
  const x = new Float32Array(batch * time * 2);
  const y = new Float32Array(batch);
  const half = Math.floor(time / 2);
  for (let b = 0; b < batch; b++) {
    const first = rng.int(half);
    const second = half + rng.int(time - half);
    for (let t = 0; t < time; t++) {
      const v = rng.next();
      x[(b * time + t) * 2] = v;
      if (t === first || t === second) {
        x[(b * time + t) * 2 + 1] = 1;
        y[b]! += v;
      }
    }
  }
  return { inputs: tf.tensor3d(x, [batch, time, 2]), targets: tf.tensor2d(y, [batch, 1]) };
}
