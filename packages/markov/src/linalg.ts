/**
 * Small dense linear algebra on row-major Float64Arrays, for covariance matrices of Gaussian
 * emissions and linear dynamical systems (dimensions of tens, not thousands).
 * An n x m matrix is a Float64Array of n * m entries; entry (i, j) is at i * m + j.
 */
import { NotPositiveDefiniteError } from './errors.js';

/** out = a b, with a: [n, k], b: [k, m] -> [n, m]. */
export function matMul(
  a: Float64Array,
  b: Float64Array,
  n: number,
  k: number,
  m: number,
  out = new Float64Array(n * m),
): Float64Array {
  out.fill(0, 0, n * m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j]! += aip * b[p * m + j]!;
    }
  }
  return out;
}

/** out = a bᵀ, with a: [n, k], b: [m, k] -> [n, m]. */
export function matMulTransB(
  a: Float64Array,
  b: Float64Array,
  n: number,
  k: number,
  m: number,
  out = new Float64Array(n * m),
): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[j * k + p]!;
      out[i * m + j] = s;
    }
  }
  return out;
}

/** aᵀ, with a: [n, m] -> [m, n]. */
export function transpose(
  a: Float64Array,
  n: number,
  m: number,
  out = new Float64Array(n * m),
): Float64Array {
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = a[i * m + j]!;
  return out;
}

/** Replaces a square matrix by (a + aᵀ) / 2, removing rounding asymmetry. */
export function symmetrize(a: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (a[i * n + j]! + a[j * n + i]!);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/**
 * Cholesky factor L (lower triangular, a = L Lᵀ) written into `out`.
 * Returns -1 on success, or the index of the first pivot that is not > 0.
 */
export function choleskyInto(a: Float64Array, n: number, out: Float64Array): number {
  out.fill(0, 0, n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let p = 0; p < j; p++) d -= out[j * n + p]! * out[j * n + p]!;
    if (!(d > 0) || !Number.isFinite(d)) {
      out[0] = d; // report the failing pivot value through out[0]
      return j;
    }
    const ljj = Math.sqrt(d);
    out[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let p = 0; p < j; p++) s -= out[i * n + p]! * out[j * n + p]!;
      out[i * n + j] = s / ljj;
    }
  }
  return -1;
}

/** Cholesky factor of a symmetric positive-definite matrix; throws NotPositiveDefiniteError naming `what`. */
export function cholesky(
  a: Float64Array,
  n: number,
  what = 'matrix',
  state = -1,
  out = new Float64Array(n * n),
): Float64Array {
  const pivot = choleskyInto(a, n, out);
  if (pivot >= 0) throw new NotPositiveDefiniteError(what, pivot, out[0]!, state);
  return out;
}

/** Solves L y = b in place (forward substitution); b: [n] or the column `col` of b: [n, m]. */
export function forwardSubstitute(l: Float64Array, n: number, b: Float64Array, m = 1, col = 0): void {
  for (let i = 0; i < n; i++) {
    let s = b[i * m + col]!;
    for (let p = 0; p < i; p++) s -= l[i * n + p]! * b[p * m + col]!;
    b[i * m + col] = s / l[i * n + i]!;
  }
}

/** Solves Lᵀ x = y in place (back substitution). */
export function backSubstituteTransposed(l: Float64Array, n: number, b: Float64Array, m = 1, col = 0): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i * m + col]!;
    for (let p = i + 1; p < n; p++) s -= l[p * n + i]! * b[p * m + col]!;
    b[i * m + col] = s / l[i * n + i]!;
  }
}

/** Solves (L Lᵀ) X = B in place for B: [n, m]. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, m = 1): Float64Array {
  for (let c = 0; c < m; c++) {
    forwardSubstitute(l, n, b, m, c);
    backSubstituteTransposed(l, n, b, m, c);
  }
  return b;
}

/** log det(a) from its Cholesky factor: 2 Σ log L_ii. */
export function logDetFromCholesky(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/** Inverse of a symmetric positive-definite matrix (through Cholesky). */
export function inverseSpd(a: Float64Array, n: number, what = 'matrix'): Float64Array {
  const l = cholesky(a, n, what);
  return symmetrize(choleskySolve(l, n, identity(n), n), n);
}

/**
 * Solves a X = b for a general square a: [n, n], b: [n, m] (Gaussian elimination with partial
 * pivoting). Returns null when a is singular to working precision.
 */
export function solve(a: Float64Array, b: Float64Array, n: number, m = 1): Float64Array | null {
  const lu = Float64Array.from(a);
  const x = Float64Array.from(b);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(lu[i]!));
  const tiny = scale * n * 1e-13;
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]!) > Math.abs(lu[piv * n + k]!)) piv = i;
    if (!(Math.abs(lu[piv * n + k]!) > tiny)) return null;
    if (piv !== k) {
      for (let j = 0; j < n; j++) swap(lu, k * n + j, piv * n + j);
      for (let j = 0; j < m; j++) swap(x, k * m + j, piv * m + j);
    }
    const pivot = lu[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k]! / pivot;
      if (f === 0) continue;
      for (let j = k; j < n; j++) lu[i * n + j]! -= f * lu[k * n + j]!;
      for (let j = 0; j < m; j++) x[i * m + j]! -= f * x[k * m + j]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let j = 0; j < m; j++) {
      let s = x[i * m + j]!;
      for (let p = i + 1; p < n; p++) s -= lu[i * n + p]! * x[p * m + j]!;
      x[i * m + j] = s / lu[i * n + i]!;
    }
  }
  return x;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** log N(x; mean, Σ) given the Cholesky factor L of Σ; `work` is scratch of length d. */
export function gaussianLogDensity(
  x: ArrayLike<number>,
  xOffset: number,
  mean: Float64Array,
  meanOffset: number,
  l: Float64Array,
  logDet: number,
  d: number,
  work: Float64Array,
): number {
  for (let i = 0; i < d; i++) work[i] = x[xOffset + i]! - mean[meanOffset + i]!;
  let quad = 0;
  for (let i = 0; i < d; i++) {
    let s = work[i]!;
    for (let p = 0; p < i; p++) s -= l[i * d + p]! * work[p]!;
    s /= l[i * d + i]!;
    work[i] = s;
    quad += s * s;
  }
  return -0.5 * (d * LOG_2PI + logDet + quad);
}

export const LOG_2PI = Math.log(2 * Math.PI);

/** log Σ exp(x[offset .. offset + n)), stable; -Infinity for all -Infinity inputs. */
export function logSumExp(x: ArrayLike<number>, offset = 0, n = x.length - offset): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (x[offset + i]! > max) max = x[offset + i]!;
  if (max === Number.NEGATIVE_INFINITY || Number.isNaN(max)) return max;
  if (max === Number.POSITIVE_INFINITY) return max;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(x[offset + i]! - max);
  return max + Math.log(s);
}
