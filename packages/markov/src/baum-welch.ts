/**
 * Baum-Welch (EM) for HMMs over many sequences of different lengths. Each iteration runs the
 * scaled forward-backward pass on every sequence, accumulates expected counts, and re-estimates
 * the parameters chosen in `learn`. The reported log-likelihood of iteration i is that of the
 * model entering it (as hmmlearn's monitor reports), so the list never decreases beyond rounding.
 */
import { InputError, positiveInteger } from '@strand/base';
import { checkSequences } from './checks.js';
import { type Emission, type Frames, type Observations, toFrames } from './emission.js';
import {
  accumulateEmission,
  createEmissionStats,
  prepareEmission,
  scaledLikelihoods,
  updateEmission,
} from './emission-ops.js';
import type { Hmm, HmmParameter } from './hmm.js';
import { forwardScaled } from './hmm-inference.js';

export interface BaumWelchOptions {
  /** Default 100. */
  readonly maxIterations?: number;
  /** Stop when an iteration gains less log-likelihood than this. Default 1e-4. */
  readonly tolerance?: number;
  /**
   * Parameters to re-estimate; the others stay as given. 'emissions' means every emission
   * parameter; 'means', 'covariances' and 'weights' pick Gaussian and mixture parts.
   * Default: all ('end' only matters for models with stop probabilities).
   */
  readonly learn?: readonly HmmParameter[];
  /** Added to every variance after each update, keeping covariances positive definite. Default 1e-6. */
  readonly minCovariance?: number;
  /** Called after each iteration with the log-likelihood of the model that entered it. */
  readonly onIteration?: (info: { readonly iteration: number; readonly logLikelihood: number }) => void;
}

export interface BaumWelchResult<E extends Emission> {
  readonly hmm: Hmm<E>;
  /** logLikelihoods[i]: total log-likelihood of the data under the model entering iteration i. */
  readonly logLikelihoods: number[];
  readonly converged: boolean;
  readonly iterations: number;
}

const ALL: readonly HmmParameter[] = ['start', 'transitions', 'end', 'emissions'];

export function baumWelch<E extends Emission>(
  initial: Hmm<E>,
  sequences: readonly Observations[],
  options: BaumWelchOptions = {},
): BaumWelchResult<E> {
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-4;
  positiveInteger(maxIterations, 'maxIterations');
  if (!(tolerance >= 0)) {
    throw new InputError({ what: 'tolerance', expected: 'a number >= 0', received: String(tolerance) });
  }
  const learn = new Set(options.learn ?? ALL);
  const learnEmission = {
    probs: learn.has('emissions'),
    means: learn.has('emissions') || learn.has('means'),
    covariances: learn.has('emissions') || learn.has('covariances'),
    weights: learn.has('emissions') || learn.has('weights'),
    minCovariance: options.minCovariance ?? 1e-6,
  };
  checkSequences(sequences, 'training sequences');
  const frames = sequences.map((s, n) => toFrames(initial.emission, s, `training sequence ${n}`));
  const S = initial.numStates;
  const maxT = Math.max(...frames.map((f) => f.length));
  const center = dataMean(frames, initial.emission);
  const w = {
    b: new Float64Array(maxT * S),
    offset: new Float64Array(maxT),
    alpha: new Float64Array(maxT * S),
    beta: new Float64Array(maxT * S),
    scale: new Float64Array(maxT),
  };
  let hmm: Hmm<E> = initial;
  const history: number[] = [];
  let converged = false;
  let iteration = 0;
  for (; iteration < maxIterations; iteration++) {
    const prepared = prepareEmission(hmm.emission);
    const stats = createEmissionStats(hmm.emission, center);
    const startCounts = new Float64Array(S);
    const endCounts = new Float64Array(S);
    const xi = new Float64Array(S * S); // Σ_t α̂_t(i) b_{t+1}(j) β̂_{t+1}(j) / c_{t+1}, times A_ij at the end
    let ll = 0;
    for (let n = 0; n < frames.length; n++) {
      const f = frames[n]!;
      const T = f.length;
      scaledLikelihoods(prepared, f, w.b, w.offset);
      const fw = forwardScaled(hmm, w.b, w.offset, T, w.alpha, w.scale);
      if (fw.zeroAt >= 0) {
        throw new InputError({
          what: `training sequence ${n}`,
          expected: 'non-zero probability under the current model',
          received:
            fw.zeroAt >= T ? 'no state that may stop at its end' : `probability 0 at step ${fw.zeroAt}`,
          hint: 'initialise emissions so every symbol has some probability in some state',
        });
      }
      ll += fw.logLikelihood;
      backwardAndTransitions(hmm, w, T, fw.endNorm, xi);
      // gamma = α̂ β̂, in place
      for (let i = 0; i < T * S; i++) w.alpha[i]! *= w.beta[i]!;
      for (let s = 0; s < S; s++) {
        startCounts[s]! += w.alpha[s]!;
        endCounts[s]! += w.alpha[(T - 1) * S + s]!;
      }
      accumulateEmission(prepared, stats, f, w.alpha.subarray(0, T * S));
    }
    history.push(ll);
    options.onIteration?.({ iteration, logLikelihood: ll });
    for (let i = 0; i < S * S; i++) xi[i]! *= hmm.transitions[i]!;
    hmm = {
      ...hmm,
      start: learn.has('start') ? normalised(startCounts, hmm.start) : hmm.start,
      ...updateTransitions(hmm, xi, endCounts, learn.has('transitions'), learn.has('end')),
      emission: updateEmission(hmm.emission, stats, learnEmission) as E,
    };
    if (iteration > 0 && ll - history[iteration - 1]! < tolerance) {
      converged = true;
      iteration++;
      break;
    }
  }
  return { hmm, logLikelihoods: history, converged, iterations: iteration };
}

/**
 * The scaled backward pass fused with the transition statistics, sharing one product per step:
 * bb_j = b_{t+1}(j) β̂_{t+1}(j) / c_{t+1};  β̂_t(i) = Σ_j A_ij bb_j;  xi[i, j] += α̂_t(i) bb_j
 * (the A_ij factor of the expected transition counts is applied once, after all sequences).
 */
function backwardAndTransitions(
  h: Hmm,
  w: { b: Float64Array; alpha: Float64Array; beta: Float64Array; scale: Float64Array },
  T: number,
  endNorm: number,
  xi: Float64Array,
): void {
  const S = h.numStates;
  const A = h.transitions;
  const { b, alpha, beta, scale } = w;
  const bb = new Float64Array(S);
  const last = (T - 1) * S;
  for (let i = 0; i < S; i++) beta[last + i] = h.end ? h.end[i]! / endNorm : 1;
  for (let t = T - 2; t >= 0; t--) {
    const next = (t + 1) * S;
    const inv = 1 / scale[t + 1]!;
    for (let j = 0; j < S; j++) bb[j] = b[next + j]! * beta[next + j]! * inv;
    const row = t * S;
    for (let i = 0; i < S; i++) {
      const a = alpha[row + i]!;
      const ai = i * S;
      let s = 0;
      for (let j = 0; j < S; j++) {
        const v = bb[j]!;
        s += A[ai + j]! * v;
        xi[ai + j]! += a * v;
      }
      beta[row + i] = s;
    }
  }
}

function normalised(counts: Float64Array, fallback: Float64Array): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (!(total > 0)) return fallback;
  return counts.map((c) => c / total);
}

/**
 * Row i: A_ij ∝ ξ_ij and end_i ∝ E_i, sharing one normaliser (Σ_j ξ_ij + E_i); a part not
 * learned keeps its old value and the learned part fills the rest of the row.
 */
function updateTransitions(
  hmm: Hmm,
  xi: Float64Array,
  endCounts: Float64Array,
  learnTransitions: boolean,
  learnEnd: boolean,
): { transitions: Float64Array; end: Float64Array | null } {
  const S = hmm.numStates;
  const transitions = Float64Array.from(hmm.transitions);
  const end = hmm.end ? Float64Array.from(hmm.end) : null;
  for (let i = 0; i < S; i++) {
    let moves = 0;
    for (let j = 0; j < S; j++) moves += xi[i * S + j]!;
    const stops = end ? endCounts[i]! : 0;
    if (end && learnEnd && moves + stops > 0) end[i] = stops / (moves + stops);
    const mass = end ? 1 - end[i]! : 1;
    if (learnTransitions && moves > 0) {
      for (let j = 0; j < S; j++) transitions[i * S + j] = (mass * xi[i * S + j]!) / moves;
    } else if (end && learnEnd) {
      // keep the shape of the row, rescaled to the new stop probability
      let old = 0;
      for (let j = 0; j < S; j++) old += hmm.transitions[i * S + j]!;
      if (old > 0)
        for (let j = 0; j < S; j++) transitions[i * S + j] = (hmm.transitions[i * S + j]! * mass) / old;
    }
  }
  return { transitions, end };
}

/** Mean of all frames (continuous emissions), used to centre sufficient statistics. */
function dataMean(frames: readonly Frames[], e: Emission): Float64Array | null {
  if (e.kind === 'categorical') return null;
  const d = e.dim;
  const mean = new Float64Array(d);
  let n = 0;
  for (const f of frames) {
    const v = f.values!;
    for (let t = 0; t < f.length; t++) for (let i = 0; i < d; i++) mean[i]! += v[t * d + i]!;
    n += f.length;
  }
  for (let i = 0; i < d; i++) mean[i]! /= n;
  return mean;
}
