/**
 * Starting points for Baum-Welch, and `fitHmm`, which initialises the chosen parameters from the
 * data (seeded) and runs EM, as hmmlearn's `init_params` / `params` do.
 */
import { InputError, positiveInteger, Rng } from '@strand/base';
import { type BaumWelchOptions, type BaumWelchResult, baumWelch } from './baum-welch.js';
import { checkSequences } from './checks.js';
import { type CovarianceType, type Emission, type Frames, type Observations, toFrames } from './emission.js';
import { covarianceSize } from './gaussian-components.js';
import type { Hmm, HmmParameter } from './hmm.js';

export type EmissionSpec =
  | { readonly kind: 'categorical'; readonly numSymbols: number }
  | { readonly kind: 'gaussian'; readonly dim: number; readonly covarianceType: CovarianceType }
  | {
      readonly kind: 'gmm';
      readonly dim: number;
      readonly numComponents: number;
      readonly covarianceType: CovarianceType;
    };

export interface FitHmmOptions extends BaumWelchOptions {
  /** Needed unless `initial` is given. */
  readonly numStates?: number;
  /** Needed unless `initial` is given. */
  readonly emission?: EmissionSpec;
  /** Starting parameters; those listed in `initialise` are replaced by data-driven ones. */
  readonly initial?: Hmm;
  /** Parameters to initialise from the data. Default: all without `initial`, none with it. */
  readonly initialise?: readonly HmmParameter[];
  /** Give the model stop probabilities (learned like transitions). Default false. */
  readonly withEnd?: boolean;
  /** Seed of the initialisation. Default 0. */
  readonly seed?: number;
}

/** Initialises (as chosen) and trains an HMM by Baum-Welch. */
export function fitHmm(
  sequences: readonly Observations[],
  options: FitHmmOptions,
): BaumWelchResult<Emission> {
  checkSequences(sequences, 'training sequences');
  const base = options.initial;
  const init = initialiseHmm(sequences, {
    numStates: base?.numStates ?? options.numStates ?? 0,
    emission: options.emission ?? specOf(base),
    seed: options.seed,
    withEnd: options.withEnd ?? (base ? base.end !== null : false),
  });
  const chosen = new Set(options.initialise ?? (base ? [] : ['start', 'transitions', 'end', 'emissions']));
  const hmm: Hmm = base
    ? {
        ...base,
        start: chosen.has('start') ? init.start : base.start,
        transitions: chosen.has('transitions') ? init.transitions : base.transitions,
        end: chosen.has('end') ? init.end : base.end,
        emission: mergeEmission(base.emission, init.emission, chosen),
      }
    : init;
  return baumWelch(hmm, sequences, options);
}

function specOf(h: Hmm | undefined): EmissionSpec {
  if (!h) {
    throw new InputError({
      what: 'fitHmm options',
      expected: 'either `initial` or both `numStates` and `emission`',
      received: 'neither',
    });
  }
  const e = h.emission;
  if (e.kind === 'categorical') return { kind: 'categorical', numSymbols: e.numSymbols };
  if (e.kind === 'gaussian') return { kind: 'gaussian', dim: e.dim, covarianceType: e.covarianceType };
  return { kind: 'gmm', dim: e.dim, numComponents: e.numComponents, covarianceType: e.covarianceType };
}

function mergeEmission(base: Emission, init: Emission, chosen: Set<string>): Emission {
  if (chosen.has('emissions')) return init;
  if (base.kind === 'categorical' || init.kind === 'categorical') return base;
  return {
    ...base,
    means: chosen.has('means') ? init.means : base.means,
    covariances: chosen.has('covariances') ? init.covariances : base.covariances,
    ...(base.kind === 'gmm' && init.kind === 'gmm' && chosen.has('weights') ? { weights: init.weights } : {}),
  } as Emission;
}

export interface InitialiseOptions {
  readonly numStates: number;
  readonly emission: EmissionSpec;
  readonly seed?: number;
  readonly withEnd?: boolean;
}

/**
 * A data-driven starting HMM: uniform start, transitions mixing uniform and Dirichlet noise,
 * categorical emissions as the symbol frequencies perturbed per state, Gaussian means from
 * k-means (k-means++ seeding, on at most 20,000 frames) and the pooled data covariance.
 */
export function initialiseHmm(sequences: readonly Observations[], o: InitialiseOptions): Hmm {
  const S = o.numStates;
  positiveInteger(S, 'numStates');
  const rng = new Rng(o.seed ?? 0);
  const spec = o.emission;
  const probe: Emission =
    spec.kind === 'categorical'
      ? {
          kind: 'categorical',
          numStates: S,
          numSymbols: spec.numSymbols,
          probs: new Float64Array(S * spec.numSymbols),
        }
      : {
          kind: 'gaussian',
          numStates: S,
          dim: spec.dim,
          covarianceType: spec.covarianceType,
          means: new Float64Array(0),
          covariances: new Float64Array(0),
        };
  const frames = sequences.map((s, n) => toFrames(probe, s, `training sequence ${n}`));
  let meanLength = 0;
  for (const f of frames) meanLength += f.length / frames.length;
  const end = o.withEnd ? new Float64Array(S).fill(Math.min(0.5, 1 / Math.max(1, meanLength))) : null;
  const start = new Float64Array(S).fill(1 / S);
  const transitions = new Float64Array(S * S);
  const row = new Float64Array(S);
  for (let i = 0; i < S; i++) {
    rng.dirichlet(row, 1);
    const mass = end ? 1 - end[i]! : 1;
    for (let j = 0; j < S; j++) transitions[i * S + j] = mass * (0.5 / S + 0.5 * row[j]!);
  }
  return { numStates: S, start, transitions, end, emission: initialEmission(spec, S, frames, rng) };
}

function initialEmission(spec: EmissionSpec, S: number, frames: readonly Frames[], rng: Rng): Emission {
  if (spec.kind === 'categorical') {
    const K = spec.numSymbols;
    const freq = new Float64Array(K).fill(1e-3);
    for (const f of frames) for (let t = 0; t < f.length; t++) freq[f.symbols![t]!]!++;
    const probs = new Float64Array(S * K);
    for (let s = 0; s < S; s++) {
      let total = 0;
      for (let k = 0; k < K; k++) {
        const v = freq[k]! * (0.25 + rng.float());
        probs[s * K + k] = v;
        total += v;
      }
      for (let k = 0; k < K; k++) probs[s * K + k]! /= total;
    }
    return { kind: 'categorical', numStates: S, numSymbols: K, probs };
  }
  const d = spec.dim;
  const data = sampleFrames(frames, d, 20_000, rng);
  const n = data.length / d;
  const clusters = spec.kind === 'gmm' ? S * spec.numComponents : S;
  const means = kMeans(data, n, d, clusters, rng);
  const pooled = covariance(data, n, d, spec.covarianceType);
  const cs = covarianceSize(d, spec.covarianceType);
  const covariances = new Float64Array(clusters * cs);
  for (let c = 0; c < clusters; c++) covariances.set(pooled, c * cs);
  if (spec.kind === 'gaussian') {
    return {
      kind: 'gaussian',
      numStates: S,
      dim: d,
      covarianceType: spec.covarianceType,
      means,
      covariances,
    };
  }
  const M = spec.numComponents;
  return {
    kind: 'gmm',
    numStates: S,
    numComponents: M,
    dim: d,
    covarianceType: spec.covarianceType,
    weights: new Float64Array(S * M).fill(1 / M),
    means,
    covariances,
  };
}

function sampleFrames(frames: readonly Frames[], d: number, max: number, rng: Rng): Float64Array {
  let total = 0;
  for (const f of frames) total += f.length;
  const keep = Math.min(total, max);
  const out = new Float64Array(keep * d);
  let k = 0;
  let seen = 0;
  // Selection sampling (Knuth's algorithm S): each frame kept with the right probability, in order.
  for (const f of frames) {
    for (let t = 0; t < f.length && k < keep; t++, seen++) {
      if ((total - seen) * rng.float() < keep - k) {
        out.set(f.values!.subarray(t * d, (t + 1) * d), k * d);
        k++;
      }
    }
  }
  return out;
}

/** k-means++ seeding then 20 Lloyd iterations; returns [k, d] centres. */
function kMeans(x: Float64Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  const centres = new Float64Array(k * d);
  const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const sq = (i: number, c: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j]! - centres[c * d + j]!;
      s += v * v;
    }
    return s;
  };
  const first = rng.int(n);
  for (let j = 0; j < d; j++) centres[j] = x[first * d + j]!;
  for (let c = 1; c < k; c++) {
    for (let i = 0; i < n; i++) dist[i] = Math.min(dist[i]!, sq(i, c - 1));
    const pick = rng.categorical(dist);
    for (let j = 0; j < d; j++) centres[c * d + j] = x[pick * d + j]!;
  }
  const assign = new Int32Array(n);
  for (let iter = 0; iter < 20; iter++) {
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const v = sq(i, c);
        if (v < bestD) {
          bestD = v;
          best = c;
        }
      }
      assign[i] = best;
    }
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      counts[assign[i]!]!++;
      for (let j = 0; j < d; j++) sums[assign[i]! * d + j]! += x[i * d + j]!;
    }
    for (let c = 0; c < k; c++)
      if (counts[c]! > 0) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j]! / counts[c]!;
  }
  return centres;
}

function covariance(x: Float64Array, n: number, d: number, type: CovarianceType): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]! / n;
  const out = new Float64Array(covarianceSize(d, type));
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const va = x[i * d + a]! - mean[a]!;
      if (type === 'diagonal') out[a]! += (va * va) / n;
      else for (let b = 0; b < d; b++) out[a * d + b]! += (va * (x[i * d + b]! - mean[b]!)) / n;
    }
  }
  for (let a = 0; a < d; a++) out[type === 'diagonal' ? a : a * d + a]! += 1e-6;
  return out;
}
