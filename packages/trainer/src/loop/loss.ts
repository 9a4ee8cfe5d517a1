/** The loss contract of the loop, and its default: token-level cross-entropy from logits. */
import type * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../losses/cross-entropy.js';

/**
 * logits [batch, time, classes] with targets [batch, time] (or [batch, classes] with [batch]) and
 * an optional 0/1 mask of the targets' shape -> a scalar to minimise.
 */
export type LossFn = (logits: tf.Tensor, targets: tf.Tensor, mask: tf.Tensor | undefined) => tf.Scalar;

/**
 * Mean cross-entropy over the unmasked targets (`crossEntropy`, PyTorch's semantics). Targets
 * are not read back (no device read per step); the loop checks them on the host.
 */
export const tokenCrossEntropy: LossFn = (logits, targets, mask) =>
  crossEntropy(logits, targets, {
    ...(mask === undefined ? {} : { mask }),
    checkTargets: false,
  }) as tf.Scalar;
