/**
 * What the HMM algorithms need from an emission distribution: per-step likelihoods of every
 * state, expected sufficient statistics, the M-step, and sampling. One `switch` per operation.
 */
import type { Rng } from '@strand/base';
import type { Emission, Frames } from './emission.js';
import {
  accumulateComponent,
  type ComponentStats,
  type Components,
  componentLogDensity,
  createComponentStats,
  type PreparedComponents,
  prepareComponents,
  sampleComponent,
  updateComponents,
} from './gaussian-components.js';

export type PreparedEmission =
  | {
      readonly kind: 'categorical';
      readonly e: Extract<Emission, { kind: 'categorical' }>;
      readonly logProbs: Float64Array;
    }
  | {
      readonly kind: 'gaussian';
      readonly e: Extract<Emission, { kind: 'gaussian' }>;
      readonly comps: PreparedComponents;
    }
  | {
      readonly kind: 'gmm';
      readonly e: Extract<Emission, { kind: 'gmm' }>;
      readonly comps: PreparedComponents;
      readonly logWeights: Float64Array;
      readonly work: Float64Array;
    };

function components(e: Extract<Emission, { kind: 'gaussian' | 'gmm' }>): Components {
  const count = e.kind === 'gmm' ? e.numStates * e.numComponents : e.numStates;
  return { count, dim: e.dim, covarianceType: e.covarianceType, means: e.means, covariances: e.covariances };
}

/** Validates covariances (Cholesky; errors name the state) and precomputes what densities need. */
export function prepareEmission(e: Emission): PreparedEmission {
  switch (e.kind) {
    case 'categorical':
      return { kind: 'categorical', e, logProbs: e.probs.map(Math.log) };
    case 'gaussian':
      return {
        kind: 'gaussian',
        e,
        comps: prepareComponents(
          components(e),
          (s) => `state ${s}`,
          (s) => s,
        ),
      };
    case 'gmm': {
      const m = e.numComponents;
      return {
        kind: 'gmm',
        e,
        comps: prepareComponents(
          components(e),
          (c) => `state ${Math.floor(c / m)}, component ${c % m}`,
          (c) => Math.floor(c / m),
        ),
        logWeights: e.weights.map(Math.log),
        work: new Float64Array(m),
      };
    }
  }
}

/** out[t * S + s] = log p(o_t | state s). */
export function emissionLogLikelihoods(p: PreparedEmission, f: Frames, out: Float64Array): void {
  const S = p.e.numStates;
  const T = f.length;
  if (p.kind === 'categorical') {
    const K = p.e.numSymbols;
    const x = f.symbols!;
    for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) out[t * S + s] = p.logProbs[s * K + x[t]!]!;
    return;
  }
  const x = f.values!;
  const d = p.e.dim;
  if (p.kind === 'gaussian') {
    for (let t = 0; t < T; t++)
      for (let s = 0; s < S; s++) out[t * S + s] = componentLogDensity(p.comps, s, x, t * d);
    return;
  }
  const M = p.e.numComponents;
  const w = p.work;
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < S; s++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let m = 0; m < M; m++) {
        const v = p.logWeights[s * M + m]! + componentLogDensity(p.comps, s * M + m, x, t * d);
        w[m] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let m = 0; m < M; m++) sum += Math.exp(w[m]! - max);
      out[t * S + s] = max === Number.NEGATIVE_INFINITY ? max : max + Math.log(sum);
    }
  }
}

/**
 * Likelihoods scaled per step: b[t * S + s] = p(o_t | s) / exp(offset[t]), with offset[t] the
 * largest log-likelihood at step t, so densities far from 1 neither overflow nor underflow.
 */
export function scaledLikelihoods(
  p: PreparedEmission,
  f: Frames,
  b: Float64Array,
  offset: Float64Array,
): void {
  const S = p.e.numStates;
  const T = f.length;
  if (p.kind === 'categorical') {
    const K = p.e.numSymbols;
    const probs = p.e.probs;
    const x = f.symbols!;
    for (let t = 0; t < T; t++) {
      const o = x[t]!;
      for (let s = 0; s < S; s++) b[t * S + s] = probs[s * K + o]!;
      offset[t] = 0;
    }
    return;
  }
  emissionLogLikelihoods(p, f, b);
  for (let t = 0; t < T; t++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < S; s++) if (b[t * S + s]! > max) max = b[t * S + s]!;
    if (max === Number.NEGATIVE_INFINITY) max = 0;
    offset[t] = max;
    for (let s = 0; s < S; s++) b[t * S + s] = Math.exp(b[t * S + s]! - max);
  }
}

export type EmissionStats =
  | { readonly kind: 'categorical'; readonly counts: Float64Array }
  | { readonly kind: 'gaussian' | 'gmm'; readonly comps: ComponentStats };

export function createEmissionStats(e: Emission, center: Float64Array | null): EmissionStats {
  if (e.kind === 'categorical')
    return { kind: 'categorical', counts: new Float64Array(e.numStates * e.numSymbols) };
  return { kind: e.kind, comps: createComponentStats(components(e), center ?? new Float64Array(e.dim)) };
}

/** Adds the expected statistics of one sequence given state posteriors gamma: [T, S]. */
export function accumulateEmission(
  p: PreparedEmission,
  stats: EmissionStats,
  f: Frames,
  gamma: Float64Array,
): void {
  const S = p.e.numStates;
  const T = f.length;
  if (p.kind === 'categorical') {
    const counts = (stats as Extract<EmissionStats, { kind: 'categorical' }>).counts;
    const K = p.e.numSymbols;
    const x = f.symbols!;
    for (let t = 0; t < T; t++) {
      const o = x[t]!;
      for (let s = 0; s < S; s++) counts[s * K + o]! += gamma[t * S + s]!;
    }
    return;
  }
  const cs = (stats as Extract<EmissionStats, { kind: 'gaussian' | 'gmm' }>).comps;
  const x = f.values!;
  const d = p.e.dim;
  if (p.kind === 'gaussian') {
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < S; s++) {
        const g = gamma[t * S + s]!;
        if (g > 0) accumulateComponent(cs, p.comps, s, g, x, t * d);
      }
    }
    return;
  }
  const M = p.e.numComponents;
  const w = p.work;
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < S; s++) {
      const g = gamma[t * S + s]!;
      if (!(g > 1e-300)) continue;
      let max = Number.NEGATIVE_INFINITY;
      for (let m = 0; m < M; m++) {
        const v = p.logWeights[s * M + m]! + componentLogDensity(p.comps, s * M + m, x, t * d);
        w[m] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let m = 0; m < M; m++) {
        w[m] = Math.exp(w[m]! - max);
        sum += w[m]!;
      }
      for (let m = 0; m < M; m++) accumulateComponent(cs, p.comps, s * M + m, (g * w[m]!) / sum, x, t * d);
    }
  }
}

export interface EmissionUpdate {
  readonly probs: boolean; // categorical
  readonly means: boolean;
  readonly covariances: boolean;
  readonly weights: boolean; // GMM
  readonly minCovariance: number;
}

/** The M-step. States (or components) with no expected counts keep their parameters. */
export function updateEmission(e: Emission, stats: EmissionStats, u: EmissionUpdate): Emission {
  if (e.kind === 'categorical') {
    if (!u.probs) return e;
    const counts = (stats as Extract<EmissionStats, { kind: 'categorical' }>).counts;
    const K = e.numSymbols;
    const probs = Float64Array.from(e.probs);
    for (let s = 0; s < e.numStates; s++) {
      let total = 0;
      for (let k = 0; k < K; k++) total += counts[s * K + k]!;
      if (total > 1e-300) for (let k = 0; k < K; k++) probs[s * K + k] = counts[s * K + k]! / total;
    }
    return { ...e, probs };
  }
  const cs = (stats as Extract<EmissionStats, { kind: 'gaussian' | 'gmm' }>).comps;
  const updated = updateComponents(components(e), cs, u);
  if (e.kind === 'gaussian') return { ...e, means: updated.means, covariances: updated.covariances };
  const M = e.numComponents;
  const weights = Float64Array.from(e.weights);
  if (u.weights) {
    for (let s = 0; s < e.numStates; s++) {
      let total = 0;
      for (let m = 0; m < M; m++) total += cs.weight[s * M + m]!;
      if (total > 1e-300) for (let m = 0; m < M; m++) weights[s * M + m] = cs.weight[s * M + m]! / total;
    }
  }
  return { ...e, weights, means: updated.means, covariances: updated.covariances };
}

/**
 * Draws an observation of state s into out (a symbol at out[t], or D values at out[t * D]).
 * Temperature T tempers categorical and mixture weights as p^(1/T) and scales covariances by T
 * (exact for a Gaussian, whose density^(1/T) is N(μ, TΣ) up to normalisation).
 */
export function sampleEmission(
  p: PreparedEmission,
  s: number,
  rng: Rng,
  temperature: number,
  out: Int32Array | Float64Array,
  t: number,
  buffer: Float64Array,
): void {
  switch (p.kind) {
    case 'categorical': {
      const K = p.e.numSymbols;
      out[t] = rng.categorical(
        tempered(p.e.probs, s * K, K, temperature, buffer),
        temperature === 1 ? s * K : 0,
        K,
      );
      return;
    }
    case 'gaussian':
      sampleComponent(p.comps, s, rng, temperature, out as Float64Array, t * p.e.dim);
      return;
    case 'gmm': {
      const M = p.e.numComponents;
      const m = rng.categorical(
        tempered(p.e.weights, s * M, M, temperature, buffer),
        temperature === 1 ? s * M : 0,
        M,
      );
      sampleComponent(p.comps, s * M + m, rng, temperature, out as Float64Array, t * p.e.dim);
      return;
    }
  }
}

/** p^(1/T) of p[offset .. offset + n) into buffer (or p itself when T = 1). */
export function tempered(
  p: Float64Array,
  offset: number,
  n: number,
  temperature: number,
  buffer: Float64Array,
): Float64Array {
  if (temperature === 1) return p;
  for (let i = 0; i < n; i++) buffer[i] = p[offset + i]! ** (1 / temperature);
  return buffer;
}
