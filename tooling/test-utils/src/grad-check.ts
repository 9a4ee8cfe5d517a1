import * as tf from '@tensorflow/tfjs-core';
import { expectClose } from './close.js';

/**
 * Central finite differences of a scalar function with respect to one input,
 * evaluated element by element: (f(x + h e_i) - f(x - h e_i)) / 2h.
 * Use float32-friendly steps (1e-2 .. 1e-3) on float32 backends.
 */
export function numericGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-3): Float64Array {
  const base = Float64Array.from(x.dataSync() as ArrayLike<number>);
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const probe = (delta: number): number =>
      tf.tidy(() => {
        const v = Float32Array.from(base);
        v[i] = base[i]! + delta;
        return f(tf.tensor(v, x.shape)).dataSync()[0]!;
      });
    out[i] = (probe(h) - probe(-h)) / (2 * h);
  }
  return out;
}

/** Asserts that tfjs' (or a custom) gradient of `f` at `x` matches finite differences. */
export function expectGradientsMatch(
  f: (x: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  { h = 1e-3, atol = 1e-3, rtol = 1e-2 }: { h?: number; atol?: number; rtol?: number } = {},
): void {
  const analytic = tf.tidy(() => tf.grad(f)(x));
  const numeric = numericGradient(f, x, h);
  try {
    expectClose(analytic, numeric, atol, rtol);
  } finally {
    analytic.dispose();
  }
}
