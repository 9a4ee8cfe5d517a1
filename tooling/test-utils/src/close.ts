import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

type Numeric = tf.Tensor | number | ArrayLike<number> | readonly number[] | readonly (readonly number[])[];

function toFlat(x: Numeric): { values: Float64Array; shape: readonly number[] | null } {
  if (x instanceof tf.Tensor)
    return { values: Float64Array.from(x.dataSync() as ArrayLike<number>), shape: x.shape };
  if (typeof x === 'number') return { values: Float64Array.of(x), shape: null };
  if (ArrayBuffer.isView(x))
    return { values: Float64Array.from(x as unknown as ArrayLike<number>), shape: null };
  const flat = Array.from(x as ArrayLike<unknown>).flat(Number.POSITIVE_INFINITY) as number[];
  return { values: Float64Array.from(flat), shape: null };
}

/** Largest |a - b| over all elements; shapes (where both are tensors) must agree. */
export function maxAbsDiff(actual: Numeric, expected: Numeric): number {
  const a = toFlat(actual);
  const e = toFlat(expected);
  if (a.shape && e.shape && a.shape.join(',') !== e.shape.join(',')) {
    throw new Error(`shape mismatch: actual [${a.shape}] vs expected [${e.shape}]`);
  }
  if (a.values.length !== e.values.length) {
    throw new Error(`size mismatch: actual ${a.values.length} elements vs expected ${e.values.length}`);
  }
  let worst = 0;
  for (let i = 0; i < a.values.length; i++) {
    const d = Math.abs(a.values[i]! - e.values[i]!);
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    if (d > worst) worst = d;
  }
  return worst;
}

/**
 * Element-wise |actual - expected| <= atol + rtol * |expected|.
 * Fails with the first offending index and both values.
 */
export function expectClose(actual: Numeric, expected: Numeric, atol = 1e-5, rtol = 0): void {
  const a = toFlat(actual);
  const e = toFlat(expected);
  if (a.shape && e.shape) expect(a.shape).toEqual(e.shape);
  expect(a.values.length).toBe(e.values.length);
  for (let i = 0; i < a.values.length; i++) {
    const av = a.values[i]!;
    const ev = e.values[i]!;
    const ok = Math.abs(av - ev) <= atol + rtol * Math.abs(ev);
    if (!ok) {
      throw new Error(
        `values differ at flat index ${i}: actual ${av}, expected ${ev} (|diff| ${Math.abs(av - ev)}, atol ${atol}, rtol ${rtol}); max |diff| ${maxAbsDiff(actual, expected)}`,
      );
    }
  }
}
