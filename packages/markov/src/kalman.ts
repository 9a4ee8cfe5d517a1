/**
 * The Kalman filter and the Rauch-Tung-Striebel smoother. A step whose observation is partly or
 * wholly NaN is updated with its observed dimensions only (the rows of C and the block of R that
 * belong to them); a wholly missing step is a pure prediction.
 */
import { InputError } from '@strand/base';
import type { Lds } from './lds.js';
import { toObservationMatrix } from './lds.js';
import {
  choleskyInto,
  choleskySolve,
  LOG_2PI,
  logDetFromCholesky,
  matMul,
  matMulTransB,
  symmetrize,
} from './linalg.js';

export interface KalmanFilterResult {
  readonly length: number;
  /** [T, n] E[x_t | y_0..t] */
  readonly means: Float64Array;
  /** [T, n, n] Cov[x_t | y_0..t] */
  readonly covariances: Float64Array;
  /** [T, n] E[x_t | y_0..t-1] */
  readonly predictedMeans: Float64Array;
  /** [T, n, n] Cov[x_t | y_0..t-1] */
  readonly predictedCovariances: Float64Array;
  /** log p(observed entries of y_0..T-1) */
  readonly logLikelihood: number;
}

export interface SmootherResult extends KalmanFilterResult {
  /** [T, n] E[x_t | all observations] */
  readonly smoothedMeans: Float64Array;
  /** [T, n, n] Cov[x_t | all observations] */
  readonly smoothedCovariances: Float64Array;
  /** [T - 1, n, n] Cov[x_{t+1}, x_t | all observations] (row t is for the pair (t + 1, t)). */
  readonly crossCovariances: Float64Array;
}

function fail(what: string, t: number): InputError {
  return new InputError({
    what: `${what} at step ${t}`,
    expected: 'a positive-definite matrix',
    received: 'a singular one',
    hint: 'check that R (or Q) is positive definite',
  });
}

export function kalmanFilter(
  lds: Lds,
  observations: readonly (readonly number[])[] | Float64Array,
): KalmanFilterResult {
  const { stateDim: n, obsDim: p } = lds;
  const y = toObservationMatrix(observations, p);
  const T = y.length / p;
  if (T === 0)
    throw new InputError({ what: 'observations', expected: 'at least one step', received: 'none' });
  const A = lds.transition;
  const C = lds.observation;
  const R = lds.observationCov;
  const means = new Float64Array(T * n);
  const covs = new Float64Array(T * n * n);
  const pMeans = new Float64Array(T * n);
  const pCovs = new Float64Array(T * n * n);
  const obs = new Int32Array(p);
  const co = new Float64Array(p * n); // C_o
  const so = new Float64Array(p * p); // S = C_o P C_o^T + R_oo
  const ls = new Float64Array(p * p);
  const cp = new Float64Array(p * n); // C_o P
  const e = new Float64Array(p);
  const tmp = new Float64Array(n * n);
  let ll = 0;
  for (let t = 0; t < T; t++) {
    const x = pMeans.subarray(t * n, (t + 1) * n);
    const P = pCovs.subarray(t * n * n, (t + 1) * n * n);
    if (t === 0) {
      x.set(lds.initialMean);
      P.set(lds.initialCov);
    } else {
      matMul(A, means.subarray((t - 1) * n, t * n), n, n, 1, x);
      matMul(A, covs.subarray((t - 1) * n * n, t * n * n), n, n, n, tmp);
      matMulTransB(tmp, A, n, n, n, P);
      for (let i = 0; i < n * n; i++) P[i]! += lds.transitionCov[i]!;
      symmetrize(P, n);
    }
    let q = 0;
    for (let i = 0; i < p; i++) if (!Number.isNaN(y[t * p + i]!)) obs[q++] = i;
    const xf = means.subarray(t * n, (t + 1) * n);
    const Pf = covs.subarray(t * n * n, (t + 1) * n * n);
    xf.set(x);
    Pf.set(P);
    if (q === 0) continue;
    for (let a = 0; a < q; a++) {
      for (let j = 0; j < n; j++) co[a * n + j] = C[obs[a]! * n + j]!;
      e[a] = y[t * p + obs[a]!]!;
      for (let j = 0; j < n; j++) e[a]! -= co[a * n + j]! * x[j]!;
    }
    matMul(co, P, q, n, n, cp); // C_o P: [q, n]
    matMulTransB(cp, co, q, n, q, so); // C_o P C_oᵀ
    for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) so[a * q + b]! += R[obs[a]! * p + obs[b]!]!;
    symmetrize(so, q);
    if (choleskyInto(so, q, ls) >= 0) throw fail('innovation covariance C P Cᵀ + R', t);
    // log N(e; 0, S)
    const u = e.slice(0, q);
    choleskySolve(ls, q, u);
    let quad = 0;
    for (let a = 0; a < q; a++) quad += e[a]! * u[a]!;
    ll += -0.5 * (q * LOG_2PI + logDetFromCholesky(ls, q) + quad);
    // x_f = x + (C_o P)ᵀ S⁻¹ e ; P_f = P - (C_o P)ᵀ S⁻¹ (C_o P)
    for (let j = 0; j < n; j++) for (let a = 0; a < q; a++) xf[j]! += cp[a * n + j]! * u[a]!;
    const z = cp.slice(0, q * n);
    choleskySolve(ls, q, z, n); // S⁻¹ C_o P
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let a = 0; a < q; a++) s += cp[a * n + i]! * z[a * n + j]!;
        Pf[i * n + j]! -= s;
      }
    }
    symmetrize(Pf, n);
  }
  return {
    length: T,
    means,
    covariances: covs,
    predictedMeans: pMeans,
    predictedCovariances: pCovs,
    logLikelihood: ll,
  };
}

/** Rauch-Tung-Striebel smoothing after the filter, with the lag-one cross-covariances EM needs. */
export function rtsSmoother(
  lds: Lds,
  observations: readonly (readonly number[])[] | Float64Array,
): SmootherResult {
  const f = kalmanFilter(lds, observations);
  const n = lds.stateDim;
  const T = f.length;
  const nn = n * n;
  const sm = Float64Array.from(f.means);
  const sc = Float64Array.from(f.covariances);
  const cross = new Float64Array(Math.max(0, T - 1) * nn);
  const l = new Float64Array(nn);
  const jt = new Float64Array(nn); // Jᵀ
  const tmp = new Float64Array(nn);
  const diff = new Float64Array(nn);
  for (let t = T - 2; t >= 0; t--) {
    const Pf = f.covariances.subarray(t * nn, (t + 1) * nn);
    const Pp = f.predictedCovariances.subarray((t + 1) * nn, (t + 2) * nn);
    // Jᵀ = Pp⁻¹ A Pf  (J = Pf Aᵀ Pp⁻¹; Pf, Pp symmetric)
    matMul(lds.transition, Pf, n, n, n, jt);
    if (choleskyInto(Pp, n, l) >= 0) throw fail('predicted state covariance', t + 1);
    choleskySolve(l, n, jt, n);
    // mean: x_s = x_f + J (x_s' - x_p')
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++)
        s += jt[k * n + i]! * (sm[(t + 1) * n + k]! - f.predictedMeans[(t + 1) * n + k]!);
      sm[t * n + i]! += s;
    }
    // covariance: P_s = P_f + J (P_s' - P_p') Jᵀ
    for (let i = 0; i < nn; i++) diff[i] = sc[(t + 1) * nn + i]! - Pp[i]!;
    matMul(diff, jt, n, n, n, tmp); // (P_s' - P_p') Jᵀ
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += jt[k * n + i]! * tmp[k * n + j]!;
        sc[t * nn + i * n + j]! += s;
      }
    }
    symmetrize(sc.subarray(t * nn, (t + 1) * nn), n);
    // Cov(x_{t+1}, x_t | Y) = P_s' Jᵀ
    matMul(sc.subarray((t + 1) * nn, (t + 2) * nn), jt, n, n, n, cross.subarray(t * nn, (t + 1) * nn));
  }
  return { ...f, smoothedMeans: sm, smoothedCovariances: sc, crossCovariances: cross };
}
