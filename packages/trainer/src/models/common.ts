/** Pieces the three recurrent models share: id checks, the embedding, dropout and the state helpers. */
import { IdOutOfRangeError, InputError, ShapeError } from '@strand/base';
import { disposeState, type StateTree } from '@strand/cells';
import * as tf from '@tensorflow/tfjs-core';
import { detachState } from './recurrent.js';

export { maybeDropout } from './recurrent.js';

/** Checks that `ids` is an int32 [batch, time] tensor (the models' input contract). */
export function checkIdsTensor(ids: tf.Tensor, what = 'ids'): asserts ids is tf.Tensor2D {
  if (!(ids instanceof tf.Tensor)) {
    throw new InputError({ what, expected: 'an int32 tf.Tensor2D [batch, time]', received: typeof ids });
  }
  if (ids.rank !== 2) throw new ShapeError(what, [null, null], ids.shape);
  if (ids.dtype !== 'int32') {
    throw new InputError({ what: `${what} dtype`, expected: 'int32', received: ids.dtype });
  }
}

/** Throws IdOutOfRangeError for the first id outside [0, size). */
export function checkIdValues(ids: ArrayLike<number>, size: number, what = 'id'): void {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < size)) throw new IdOutOfRangeError(v, i, size, what);
  }
}

/** tf.tidy for results holding tensors in any tree (state trees, records); tfjs' typing wants TensorContainer. */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

/** The state helpers of the recurrent models (state = the cells' state tree). */
export const recurrentStateOps = {
  keepState<S>(state: S): S {
    return detachState(state as StateTree) as S;
  },
  disposeState<S>(state: S): void {
    if (state !== null && state !== undefined) disposeState(state as StateTree);
  },
};
