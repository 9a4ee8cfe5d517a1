import * as tf from '@tensorflow/tfjs-core';

/**
 * tf.tidy for results typed as interfaces (tfjs types its result as TensorContainer, which needs an
 * index signature that interfaces lack). Tensors anywhere in the returned object are kept.
 */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}
