/**
 * Mean squared error, PyTorch's F.mse_loss (1.13): (prediction - target)^2, reduced by 'mean' over
 * all (unmasked) elements, 'sum', 'none', or 'per-step' (sum over the last axis, mean over steps).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expectFloat, expectShape, reductionOf } from './common.js';
import { safeDenominator } from './cross-entropy.js';

export interface MseOptions {
  readonly reduction?: 'mean' | 'sum' | 'none' | 'per-step';
  /** float32 [...] (the shape without the last axis): 0 drops a step. */
  readonly mask?: tf.Tensor;
}

/** Squared error between same-shaped float32 tensors; a scalar (or elementwise for 'none'). */
export function meanSquaredError(
  prediction: tf.Tensor,
  target: tf.Tensor,
  options: MseOptions = {},
): tf.Tensor {
  const reduction = reductionOf(options.reduction, ['mean', 'sum', 'none', 'per-step'], 'mean');
  expectFloat('meanSquaredError prediction', prediction);
  expectShape('meanSquaredError target', target, prediction.shape);
  expectFloat('meanSquaredError target', target);
  const steps = prediction.shape.slice(0, -1);
  if (options.mask !== undefined) {
    expectShape('meanSquaredError mask', options.mask, steps);
    expectFloat('meanSquaredError mask', options.mask);
  }
  return tf.tidy(() => {
    const l = tf.squaredDifference(prediction, target);
    if (reduction === 'none') return l;
    const mask = options.mask;
    const total = tf.sum(
      mask === undefined || prediction.rank === 0 ? l : tf.mul(l, tf.expandDims(mask, -1)),
    );
    if (reduction === 'sum') return total;
    const width = prediction.rank === 0 ? 1 : prediction.shape[prediction.rank - 1]!;
    const counted = mask === undefined ? tf.scalar(steps.reduce((a, b) => a * b, 1)) : tf.sum(mask);
    if (reduction === 'per-step') return tf.div(total, safeDenominator(counted));
    return tf.div(total, safeDenominator(tf.mul(counted, width)));
  });
}
