/**
 * Binary cross-entropy from logits for multi-label steps (an 88-key piano roll: one sigmoid per
 * key per time step), PyTorch's F.binary_cross_entropy_with_logits (1.13) element by element:
 *
 *   l = (1 - y) * x + (1 + (posWeight - 1) * y) * (log(1 + exp(-|x|)) + max(-x, 0))
 *
 * which never exponentiates a large positive number (stable for |x| in the thousands).
 * Shapes: logits and targets [..., L] (L labels per step); mask [...] (one weight per step).
 */
import { ShapeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { expectFloat, expectShape, reductionOf } from './common.js';
import { safeDenominator } from './cross-entropy.js';

export type BinaryCrossEntropyReduction = 'mean' | 'sum' | 'none' | 'per-step';

export interface BinaryCrossEntropyOptions {
  /**
   * 'mean' over all (unmasked) elements (PyTorch's default), 'sum', 'none' (shape of logits), or
   * 'per-step': the sum over the label axis, then the mean over (unmasked) steps, the usual
   * "negative log-likelihood per frame" of piano-roll models. Default 'mean'.
   */
  readonly reduction?: BinaryCrossEntropyReduction;
  /** float32 [...] (logits' shape without the label axis): 0 drops a step (padding). */
  readonly mask?: tf.Tensor;
  /** float32 weight per label [L] (or any shape broadcastable to the logits), PyTorch's `weight`. */
  readonly weight?: tf.Tensor | readonly number[];
  /** float32 weight of the positive term per label [L], PyTorch's `pos_weight`. */
  readonly posWeight?: tf.Tensor1D | readonly number[];
}

/**
 * Binary cross-entropy with logits; returns a scalar (or the elementwise losses for 'none').
 *
 * @example
 * // piano roll: logits [B, T, 88], targets 0/1 [B, T, 88], mask [B, T]
 * const nllPerFrame = binaryCrossEntropy(logits, roll, { mask, reduction: 'per-step' });
 */
export function binaryCrossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  options: BinaryCrossEntropyOptions = {},
): tf.Tensor {
  const reduction = reductionOf(options.reduction, ['mean', 'sum', 'none', 'per-step'], 'mean');
  if (logits.rank < 1)
    throw new ShapeError('binaryCrossEntropy logits', 'rank >= 1 ([..., labels])', logits.shape);
  expectFloat('binaryCrossEntropy logits', logits);
  expectShape('binaryCrossEntropy targets', targets, logits.shape);
  expectFloat('binaryCrossEntropy targets', targets);
  const labels = logits.shape[logits.rank - 1]!;
  const steps = logits.shape.slice(0, -1);
  if (options.mask !== undefined) {
    expectShape('binaryCrossEntropy mask', options.mask, steps);
    expectFloat('binaryCrossEntropy mask', options.mask);
  }
  if (options.posWeight !== undefined) {
    const shape =
      options.posWeight instanceof tf.Tensor ? options.posWeight.shape : [options.posWeight.length];
    if (!(shape.length === 1 && shape[0] === labels))
      throw new ShapeError('binaryCrossEntropy posWeight', [labels], shape);
  }
  if (options.weight instanceof tf.Tensor) {
    try {
      tf.backend_util.assertAndGetBroadcastShape(options.weight.shape, logits.shape);
    } catch {
      throw new ShapeError(
        'binaryCrossEntropy weight',
        `broadcastable to ${JSON.stringify(logits.shape)}`,
        options.weight.shape,
      );
    }
  } else if (options.weight !== undefined && options.weight.length !== labels) {
    throw new ShapeError('binaryCrossEntropy weight', [labels], [options.weight.length]);
  }

  return tf.tidy(() => {
    const x = logits;
    const y = targets;
    // log(1 + exp(-|x|)) + max(-x, 0) = softplus(-x), computed without overflow
    const softplusNeg = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(x)))), tf.relu(tf.neg(x)));
    let l: tf.Tensor;
    if (options.posWeight === undefined) {
      l = tf.add(tf.mul(tf.sub(1, y), x), softplusNeg);
    } else {
      const pw =
        options.posWeight instanceof tf.Tensor ? options.posWeight : tf.tensor1d([...options.posWeight]);
      const coef = tf.add(1, tf.mul(tf.sub(pw, 1), y));
      l = tf.add(tf.mul(tf.sub(1, y), x), tf.mul(coef, softplusNeg));
    }
    if (options.weight !== undefined) {
      l = tf.mul(l, options.weight instanceof tf.Tensor ? options.weight : tf.tensor1d([...options.weight]));
    }
    if (reduction === 'none') return l;
    const mask = options.mask;
    const masked = mask === undefined ? l : tf.mul(l, tf.expandDims(mask, -1));
    const total = tf.sum(masked);
    if (reduction === 'sum') return total;
    const stepsCounted = mask === undefined ? tf.scalar(steps.reduce((a, b) => a * b, 1)) : tf.sum(mask);
    if (reduction === 'per-step') return tf.div(total, safeDenominator(stepsCounted));
    return tf.div(total, safeDenominator(tf.mul(stepsCounted, labels)));
  });
}
