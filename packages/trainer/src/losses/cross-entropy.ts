/**
 * Cross-entropy from logits and integer targets with PyTorch's semantics
 * (torch.nn.functional.cross_entropy, 1.13, class-index targets), class axis LAST.
 *
 *   logp = log_softmax(logits)                         [..., C]   (log-sum-exp stable)
 *   nll_i    = -w[y_i] * logp[i, y_i]                   0 where ignored
 *   smooth_i = -sum_c w[c] * logp[i, c]                 0 where ignored
 *   loss_i   = (1 - eps) * nll_i + (eps / C) * smooth_i
 *   'mean'   = sum_i loss_i / sum_{i not ignored} w[y_i]   (the count when unweighted)
 *
 * so label smoothing, like PyTorch's, spreads eps uniformly over all C classes (the target
 * included) and ignored positions contribute to neither term nor to the denominator.
 */
import {
  ConfigError,
  finiteNumber,
  IdOutOfRangeError,
  InputError,
  probability,
  ShapeError,
} from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { expectFloat, expectShape, reductionOf } from './common.js';

export type CrossEntropyReduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** Targets equal to this contribute nothing (and may lie outside [0, C)); default -100. */
  readonly ignoreIndex?: number;
  /** In [0, 1]; default 0. */
  readonly labelSmoothing?: number;
  /** 'mean' over non-ignored positions (default), 'sum', or 'none' (per position, shape of targets). */
  readonly reduction?: CrossEntropyReduction;
  /**
   * float32 0/1 per position, shape of targets: 0 acts as an ignored position. (Values between
   * act as per-position weights in both the sum and the 'mean' denominator.)
   */
  readonly mask?: tf.Tensor;
  /** Per-class weights [C] (PyTorch's `weight`). */
  readonly weight?: tf.Tensor1D | readonly number[];
  /**
   * Read the targets back and check them against [0, C) (one synchronous device read). Default
   * true, except on WebGPU, which cannot read synchronously (check there with `validateTargets`,
   * asynchronously). Without the check an out-of-range target contributes 0 to the sum.
   */
  readonly checkTargets?: boolean;
}

/**
 * PyTorch's F.cross_entropy from logits [N, C] or [B, T, C] (any rank >= 2; class axis last, unlike
 * PyTorch's [N, C, T]) and int32 targets [N] / [B, T]. Returns a scalar, or for reduction 'none'
 * a float32 tensor of the targets' shape.
 *
 * A 'mean' over zero non-ignored positions is 0 (PyTorch gives NaN); see README-optim.md.
 *
 * @example
 * const loss = crossEntropy(logits, targets, { ignoreIndex: PAD_ID, labelSmoothing: 0.1 });
 */
export function crossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  options: CrossEntropyOptions = {},
): tf.Tensor {
  const ignoreIndex = finiteNumber(options.ignoreIndex ?? -100, 'ignoreIndex');
  if (!Number.isInteger(ignoreIndex))
    throw new ConfigError(`ignoreIndex must be an integer, received ${ignoreIndex}`, 'ignoreIndex');
  const smoothing = probability(options.labelSmoothing ?? 0, 'labelSmoothing');
  const reduction = reductionOf(options.reduction, ['mean', 'sum', 'none'], 'mean');
  if (logits.rank < 2)
    throw new ShapeError('crossEntropy logits', 'rank >= 2 ([N, C] or [B, T, C])', logits.shape);
  expectFloat('crossEntropy logits', logits);
  const classes = logits.shape[logits.rank - 1]!;
  const outer = logits.shape.slice(0, -1);
  expectShape('crossEntropy targets', targets, outer);
  if (targets.dtype !== 'int32') {
    throw new InputError({
      what: 'crossEntropy targets dtype',
      expected: 'int32 class ids',
      received: targets.dtype,
    });
  }
  if (options.mask !== undefined) {
    expectShape('crossEntropy mask', options.mask, outer);
    expectFloat('crossEntropy mask', options.mask);
  }
  const weightIn = options.weight;
  if (weightIn !== undefined) {
    const shape = weightIn instanceof tf.Tensor ? weightIn.shape : [weightIn.length];
    if (!(shape.length === 1 && shape[0] === classes))
      throw new ShapeError('crossEntropy weight', [classes], shape);
    if (weightIn instanceof tf.Tensor) expectFloat('crossEntropy weight', weightIn);
  }
  if (options.checkTargets ?? tf.getBackend() !== 'webgpu') {
    throwIfBadTarget(targets.dataSync(), classes, ignoreIndex);
  }

  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits); // [..., C]
    let valid = tf.cast(tf.notEqual(targets, tf.scalar(ignoreIndex, 'int32')), 'float32'); // [...]
    if (options.mask !== undefined) valid = tf.mul(valid, options.mask);
    // Ignored targets may be anything (-100); point them at class 0 and zero them through `valid`.
    const safe = tf.where(tf.equal(targets, tf.scalar(ignoreIndex, 'int32')), tf.zerosLike(targets), targets);
    const onehot = tf.reshape(tf.oneHot(tf.reshape(safe, [-1]), classes), [...outer, classes]); // [..., C]
    const weight =
      weightIn === undefined ? null : weightIn instanceof tf.Tensor ? weightIn : tf.tensor1d([...weightIn]);
    const wTarget = weight === null ? null : tf.sum(tf.mul(onehot, weight), -1); // w[y_i], [...]
    let picked = tf.sum(tf.mul(logp, onehot), -1); // logp[i, y_i], [...]
    if (wTarget !== null) picked = tf.mul(picked, wTarget);
    let perPosition = tf.mul(tf.neg(picked), valid);
    if (smoothing > 0) {
      const smooth = tf.neg(tf.sum(weight === null ? logp : tf.mul(logp, weight), -1)); // [...]
      perPosition = tf.add(
        tf.mul(perPosition, 1 - smoothing),
        tf.mul(tf.mul(smooth, valid), smoothing / classes),
      );
    }
    if (reduction === 'none') return perPosition;
    const total = tf.sum(perPosition);
    if (reduction === 'sum') return total;
    const denom = tf.sum(wTarget === null ? valid : tf.mul(wTarget, valid));
    // Nothing counted: 0 / 1 = 0 with zero gradients, where PyTorch gives 0 / 0 = NaN.
    return tf.div(total, safeDenominator(denom));
  });
}

/**
 * Checks int32 class ids against [0, numClasses) (ignoreIndex allowed) with one asynchronous read:
 * the check crossEntropy makes by default, for backends without synchronous reads (WebGPU).
 */
export async function validateTargets(
  targets: tf.Tensor,
  numClasses: number,
  options: { readonly ignoreIndex?: number } = {},
): Promise<void> {
  throwIfBadTarget(await targets.data(), numClasses, options.ignoreIndex ?? -100);
}

function throwIfBadTarget(ids: ArrayLike<number>, classes: number, ignoreIndex: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if ((id < 0 || id >= classes) && id !== ignoreIndex) {
      throw new IdOutOfRangeError(
        id,
        i,
        classes,
        ignoreIndex === -100 ? 'crossEntropy target' : `crossEntropy target (ignoreIndex ${ignoreIndex})`,
      );
    }
  }
}

/** `d`, or 1 where `d` is 0 (the numerator is then 0 too); keeps gradients finite, unlike divNoNan's. */
export function safeDenominator(d: tf.Tensor): tf.Tensor {
  return tf.where(tf.equal(d, 0), tf.onesLike(d), d);
}
