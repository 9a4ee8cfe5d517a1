/**
 * EM for linear dynamical systems (Shumway & Stoffer 1982; Ghahramani & Hinton 1996), over many
 * sequences, with missing observations handled exactly: for a step with observed dims o and
 * missing dims m, y_m given x_t and y_o is Gaussian,
 *   y_m = (C_m - G C_o) x_t + G y_o + e,  G = R_mo R_oo⁻¹,  e ~ N(0, R_mm - G R_om),
 * so E[y], E[y xᵀ] and E[y yᵀ] under the smoothed posterior enter the C and R updates.
 */
import { InputError, positiveInteger } from '@strand/base';
import { rtsSmoother } from './kalman.js';
import { type Lds, toObservationMatrix } from './lds.js';
import { cholesky, choleskySolve, symmetrize } from './linalg.js';

export type LdsParameter =
  | 'transition'
  | 'transitionCov'
  | 'observation'
  | 'observationCov'
  | 'initialMean'
  | 'initialCov';

export interface LdsEmOptions {
  /** Default 100. */
  readonly maxIterations?: number;
  /** Stop when an iteration gains less log-likelihood than this. Default 1e-6. */
  readonly tolerance?: number;
  /** Default: all but initialCov (with one sequence its estimate collapses towards a point). */
  readonly learn?: readonly LdsParameter[];
  readonly onIteration?: (info: { readonly iteration: number; readonly logLikelihood: number }) => void;
}

export interface LdsEmResult {
  readonly lds: Lds;
  /** logLikelihoods[i]: log-likelihood of all sequences under the model entering iteration i. */
  readonly logLikelihoods: number[];
  readonly converged: boolean;
  readonly iterations: number;
}

type Obs = readonly (readonly number[])[] | Float64Array;

export function fitLds(initial: Lds, sequences: readonly Obs[], options: LdsEmOptions = {}): LdsEmResult {
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  positiveInteger(maxIterations, 'maxIterations');
  if (sequences.length === 0) {
    throw new InputError({
      what: 'sequences',
      expected: 'a non-empty array',
      received: 'an empty array',
    });
  }
  const learn = new Set<LdsParameter>(
    options.learn ?? ['transition', 'transitionCov', 'observation', 'observationCov', 'initialMean'],
  );
  const { stateDim: n, obsDim: p } = initial;
  const ys = sequences.map((s, i) => toObservationMatrix(s, p, `sequence ${i}`));
  let lds = initial;
  const history: number[] = [];
  let converged = false;
  let iteration = 0;
  for (; iteration < maxIterations; iteration++) {
    const s: Stats = {
      xx: new Float64Array(n * n),
      x00: new Float64Array(n * n),
      x11: new Float64Array(n * n),
      x10: new Float64Array(n * n),
      yx: new Float64Array(p * n),
      yy: new Float64Array(p * p),
      steps: 0,
      pairs: 0,
    };
    const firstMeans: Float64Array[] = [];
    const firstCovs: Float64Array[] = [];
    let ll = 0;
    for (const y of ys) {
      const r = rtsSmoother(lds, y);
      ll += r.logLikelihood;
      accumulate(lds, y, r, s);
      firstMeans.push(r.smoothedMeans.slice(0, n));
      firstCovs.push(r.smoothedCovariances.slice(0, n * n));
    }
    history.push(ll);
    options.onIteration?.({ iteration, logLikelihood: ll });
    lds = mStep(lds, s, firstMeans, firstCovs, learn);
    if (iteration > 0 && ll - history[iteration - 1]! < tolerance) {
      converged = true;
      iteration++;
      break;
    }
  }
  return { lds, logLikelihoods: history, converged, iterations: iteration };
}

interface Stats {
  xx: Float64Array; // Σ_t E[x_t x_tᵀ]
  x00: Float64Array; // Σ_{t<T-1} E[x_t x_tᵀ]
  x11: Float64Array; // Σ_{t>0} E[x_t x_tᵀ]
  x10: Float64Array; // Σ_{t>0} E[x_t x_{t-1}ᵀ]
  yx: Float64Array; // Σ_t E[y_t x_tᵀ]
  yy: Float64Array; // Σ_t E[y_t y_tᵀ]
  steps: number;
  pairs: number;
}

function accumulate(lds: Lds, y: Float64Array, r: ReturnType<typeof rtsSmoother>, s: Stats): void {
  const { stateDim: n, obsDim: p } = lds;
  const T = r.length;
  const C = lds.observation;
  const R = lds.observationCov;
  const exx = new Float64Array(n * n);
  const F = new Float64Array(p * n);
  const fv = new Float64Array(p);
  const omega = new Float64Array(p * p);
  const fExx = new Float64Array(p * n);
  for (let t = 0; t < T; t++) {
    const x = r.smoothedMeans.subarray(t * n, (t + 1) * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        exx[i * n + j] = r.smoothedCovariances[t * n * n + i * n + j]! + x[i]! * x[j]!;
    for (let i = 0; i < n * n; i++) {
      s.xx[i]! += exx[i]!;
      if (t < T - 1) s.x00[i]! += exx[i]!;
      if (t > 0) s.x11[i]! += exx[i]!;
    }
    if (t > 0) {
      const xp = r.smoothedMeans.subarray((t - 1) * n, t * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          s.x10[i * n + j]! += r.crossCovariances[(t - 1) * n * n + i * n + j]! + x[i]! * xp[j]!;
      s.pairs++;
    }
    s.steps++;
    missingModel(C, R, y, t, n, p, F, fv, omega);
    // E[y xᵀ] = F E[xxᵀ] + f x̂ᵀ ; E[y yᵀ] = F E[xxᵀ] Fᵀ + F x̂ fᵀ + f x̂ᵀ Fᵀ + f fᵀ + Ω
    for (let a = 0; a < p; a++) {
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let k = 0; k < n; k++) v += F[a * n + k]! * exx[k * n + j]!;
        fExx[a * n + j] = v;
        s.yx[a * n + j]! += v + fv[a]! * x[j]!;
      }
    }
    for (let a = 0; a < p; a++) {
      let fxa = 0;
      for (let k = 0; k < n; k++) fxa += F[a * n + k]! * x[k]!;
      for (let b = 0; b < p; b++) {
        let v = 0;
        for (let k = 0; k < n; k++) v += fExx[a * n + k]! * F[b * n + k]!;
        let fxb = 0;
        for (let k = 0; k < n; k++) fxb += F[b * n + k]! * x[k]!;
        s.yy[a * p + b]! += v + fxa * fv[b]! + fv[a]! * fxb + fv[a]! * fv[b]! + omega[a * p + b]!;
      }
    }
  }
}

/** y_t = F x_t + f + η, η ~ N(0, Ω), given the observed entries of y_t (see the file comment). */
function missingModel(
  C: Float64Array,
  R: Float64Array,
  y: Float64Array,
  t: number,
  n: number,
  p: number,
  F: Float64Array,
  f: Float64Array,
  omega: Float64Array,
): void {
  const o: number[] = [];
  const m: number[] = [];
  for (let i = 0; i < p; i++) (Number.isNaN(y[t * p + i]!) ? m : o).push(i);
  F.fill(0);
  f.fill(0);
  omega.fill(0);
  for (const i of o) f[i] = y[t * p + i]!;
  if (m.length === 0) return;
  const q = o.length;
  // G = R_mo R_oo⁻¹, computed as (R_oo⁻¹ R_om)ᵀ
  let g: Float64Array = new Float64Array(0);
  if (q > 0) {
    const roo = new Float64Array(q * q);
    for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) roo[a * q + b] = R[o[a]! * p + o[b]!]!;
    g = new Float64Array(q * m.length); // R_oo⁻¹ R_om: [q, |m|]
    for (let a = 0; a < q; a++)
      for (let b = 0; b < m.length; b++) g[a * m.length + b] = R[o[a]! * p + m[b]!]!;
    choleskySolve(cholesky(roo, q, 'observed block of R'), q, g, m.length);
  }
  m.forEach((mi, b) => {
    for (let k = 0; k < n; k++) {
      let v = C[mi * n + k]!;
      for (let a = 0; a < q; a++) v -= g[a * m.length + b]! * C[o[a]! * n + k]!;
      F[mi * n + k] = v;
    }
    let fm = 0;
    for (let a = 0; a < q; a++) fm += g[a * m.length + b]! * y[t * p + o[a]!]!;
    f[mi] = fm;
    for (const mj of m) {
      let v = R[mi * p + mj]!;
      for (let a = 0; a < q; a++) v -= g[a * m.length + b]! * R[o[a]! * p + mj]!;
      omega[mi * p + mj] = v;
    }
  });
}

function mStep(
  lds: Lds,
  s: Stats,
  firstMeans: Float64Array[],
  firstCovs: Float64Array[],
  learn: Set<LdsParameter>,
): Lds {
  const { stateDim: n, obsDim: p } = lds;
  let A = lds.transition;
  let Q = lds.transitionCov;
  let C = lds.observation;
  let R = lds.observationCov;
  if (s.pairs > 0 && (learn.has('transition') || learn.has('transitionCov'))) {
    if (learn.has('transition'))
      A = rightDivide(s.x10, s.x00, n, n, 'Σ E[x_t x_tᵀ] over steps with a successor');
    if (learn.has('transitionCov')) Q = residualCov(s.x11, s.x10, s.x00, A, n, n, s.pairs);
  }
  if (learn.has('observation')) C = rightDivide(s.yx, s.xx, p, n, 'Σ E[x_t x_tᵀ]');
  if (learn.has('observationCov')) R = residualCov(s.yy, s.yx, s.xx, C, p, n, s.steps);
  let mu0 = lds.initialMean;
  let v0 = lds.initialCov;
  if (learn.has('initialMean')) {
    mu0 = new Float64Array(n);
    for (const m of firstMeans) for (let i = 0; i < n; i++) mu0[i]! += m[i]! / firstMeans.length;
  }
  if (learn.has('initialCov')) {
    v0 = new Float64Array(n * n);
    firstMeans.forEach((m, k) => {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          v0[i * n + j]! +=
            (firstCovs[k]![i * n + j]! + (m[i]! - mu0[i]!) * (m[j]! - mu0[j]!)) / firstMeans.length;
        }
      }
    });
    symmetrize(v0, n);
  }
  return {
    ...lds,
    transition: A,
    transitionCov: Q,
    observation: C,
    observationCov: R,
    initialMean: mu0,
    initialCov: v0,
  };
}

/** X = B S⁻¹ for B: [r, n] and SPD S: [n, n] (solve S Xᵀ = Bᵀ). */
function rightDivide(b: Float64Array, sMat: Float64Array, r: number, n: number, what: string): Float64Array {
  const l = cholesky(symmetrize(Float64Array.from(sMat), n), n, what);
  const xt = new Float64Array(n * r);
  for (let i = 0; i < r; i++) for (let j = 0; j < n; j++) xt[j * r + i] = b[i * n + j]!;
  choleskySolve(l, n, xt, r);
  const x = new Float64Array(r * n);
  for (let i = 0; i < r; i++) for (let j = 0; j < n; j++) x[i * n + j] = xt[j * r + i]!;
  return x;
}

/** (1/N) (Syy - M Syxᵀ - Syx Mᵀ + M Sxx Mᵀ) for the residual y - M x, symmetrised. */
function residualCov(
  syy: Float64Array,
  syx: Float64Array,
  sxx: Float64Array,
  M: Float64Array,
  r: number,
  n: number,
  count: number,
): Float64Array {
  const out = new Float64Array(r * r);
  for (let a = 0; a < r; a++) {
    for (let b = 0; b < r; b++) {
      let v = syy[a * r + b]!;
      for (let k = 0; k < n; k++) v -= M[a * n + k]! * syx[b * n + k]! + syx[a * n + k]! * M[b * n + k]!;
      for (let k = 0; k < n; k++) {
        let mk = 0;
        for (let l = 0; l < n; l++) mk += sxx[k * n + l]! * M[b * n + l]!;
        v += M[a * n + k]! * mk;
      }
      out[a * r + b] = v / count;
    }
  }
  return symmetrize(out, r);
}
