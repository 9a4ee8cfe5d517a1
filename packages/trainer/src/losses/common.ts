/** Checks shared by the losses: shapes, dtypes, reductions. */
import { InputError, oneOf, ShapeError } from '@strand/base';
import type * as tf from '@tensorflow/tfjs-core';

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** `t` must have exactly `shape`, else a ShapeError naming `what`. */
export function expectShape(what: string, t: tf.Tensor, shape: readonly number[]): void {
  if (!sameShape(t.shape, shape)) throw new ShapeError(what, shape, t.shape);
}

export function expectFloat(what: string, t: tf.Tensor): void {
  if (t.dtype !== 'float32') {
    throw new InputError({ what: `${what} dtype`, expected: 'float32', received: t.dtype });
  }
}

export function reductionOf<R extends string>(value: unknown, allowed: readonly R[], fallback: R): R {
  return oneOf(value ?? fallback, allowed, 'reduction');
}
