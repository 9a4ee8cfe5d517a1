/**
 * Linear dynamical systems (linear-Gaussian state space models), as plain data:
 *   x_0 ~ N(μ0, V0),  x_t = A x_{t-1} + w_t, w_t ~ N(0, Q),  y_t = C x_t + v_t, v_t ~ N(0, R).
 * n = state dimension, p = observation dimension. Missing observations are NaN entries of y.
 */
import { describeValue, InputError, positiveInteger, Rng } from '@strand/base';
import { toMatrix } from './checks.js';
import { cholesky, symmetrize } from './linalg.js';

export interface Lds {
  readonly stateDim: number;
  readonly obsDim: number;
  /** A: [n, n] */
  readonly transition: Float64Array;
  /** Q: [n, n] */
  readonly transitionCov: Float64Array;
  /** C: [p, n] */
  readonly observation: Float64Array;
  /** R: [p, p] */
  readonly observationCov: Float64Array;
  /** μ0: [n] */
  readonly initialMean: Float64Array;
  /** V0: [n, n] */
  readonly initialCov: Float64Array;
}

type Matrix = readonly (readonly number[])[] | Float64Array;

export interface LdsInit {
  readonly transition: Matrix;
  readonly transitionCov: Matrix;
  readonly observation: Matrix;
  readonly observationCov: Matrix;
  readonly initialMean: readonly number[] | Float64Array;
  readonly initialCov: Matrix;
}

/** Validates shapes and that Q, R and V0 are symmetric positive definite. */
export function createLds(init: LdsInit): Lds {
  const mean = init.initialMean;
  const n = mean.length;
  positiveInteger(n, 'state dimension (length of initialMean)');
  const rowsOf = (m: Matrix): number => (m instanceof Float64Array ? m.length / n : m.length);
  const p = rowsOf(init.observation);
  positiveInteger(p, 'observation dimension (rows of observation)');
  const lds: Lds = {
    stateDim: n,
    obsDim: p,
    transition: toMatrix(init.transition, n, n, 'transition (A)'),
    transitionCov: toMatrix(init.transitionCov, n, n, 'transitionCov (Q)'),
    observation: toMatrix(init.observation, p, n, 'observation (C)'),
    observationCov: toMatrix(init.observationCov, p, p, 'observationCov (R)'),
    initialMean: toMatrix(mean as readonly number[], 1, n, 'initialMean (μ0)'),
    initialCov: toMatrix(init.initialCov, n, n, 'initialCov (V0)'),
  };
  for (const [name, m, d] of [
    ['transitionCov (Q)', lds.transitionCov, n],
    ['observationCov (R)', lds.observationCov, p],
    ['initialCov (V0)', lds.initialCov, n],
  ] as const) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) {
        if (Math.abs(m[i * d + j]! - m[j * d + i]!) > 1e-9 * (Math.abs(m[i * d + j]!) + 1)) {
          throw new InputError({
            what: name,
            expected: 'a symmetric matrix',
            received: `entries (${i}, ${j}) = ${m[i * d + j]} and (${j}, ${i}) = ${m[j * d + i]}`,
          });
        }
      }
    }
    cholesky(m, d, name);
  }
  return lds;
}

/** Observations as a Float64Array [T, p] (NaN = missing), from rows or a flat array. */
export function toObservationMatrix(y: Matrix, p: number, label = 'observations'): Float64Array {
  if (y instanceof Float64Array) {
    if (y.length % p !== 0)
      throw new InputError({
        what: label,
        expected: `a multiple of p = ${p} values`,
        received: `${y.length}`,
      });
    return y;
  }
  if (!Array.isArray(y))
    throw new InputError({ what: label, expected: `T rows of ${p} numbers`, received: describeValue(y) });
  const out = toMatrix(y, y.length, p, label);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!) && !Number.isNaN(out[i]!)) {
      throw new InputError({
        what: `value ${i} of ${label}`,
        expected: 'a finite number, or NaN for missing',
        received: String(out[i]),
      });
    }
  }
  return out;
}

/** Draws states [T, n] and observations [T, p]. */
export function sampleLds(
  lds: Lds,
  length: number,
  { seed = 0 }: { seed?: number } = {},
): { states: Float64Array; observations: Float64Array } {
  positiveInteger(length, 'length');
  const { stateDim: n, obsDim: p } = lds;
  const rng = new Rng(seed);
  const lq = cholesky(lds.transitionCov, n, 'transitionCov (Q)');
  const lr = cholesky(lds.observationCov, p, 'observationCov (R)');
  const l0 = cholesky(symmetrize(Float64Array.from(lds.initialCov), n), n, 'initialCov (V0)');
  const states = new Float64Array(length * n);
  const observations = new Float64Array(length * p);
  const z = new Float64Array(Math.max(n, p));
  const noise = (l: Float64Array, d: number, out: Float64Array, offset: number): void => {
    for (let i = 0; i < d; i++) z[i] = rng.normal();
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += l[i * d + j]! * z[j]!;
      out[offset + i]! += s;
    }
  };
  for (let t = 0; t < length; t++) {
    if (t === 0) states.set(lds.initialMean, 0);
    else {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += lds.transition[i * n + j]! * states[(t - 1) * n + j]!;
        states[t * n + i] = s;
      }
    }
    noise(t === 0 ? l0 : lq, n, states, t * n);
    for (let i = 0; i < p; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += lds.observation[i * n + j]! * states[t * n + j]!;
      observations[t * p + i] = s;
    }
    noise(lr, p, observations, t * p);
  }
  return { states, observations };
}
