/**
 * Forward-backward for HMMs: the scaled recursions (Rabiner 1989, with per-step normalisers c_t
 * and per-step emission offsets, so a million steps neither underflow nor overflow) and a
 * log-space variant. Shapes: T steps, S states; [T, S] arrays are row-major by step.
 */
import { InputError } from '@strand/base';
import { type Observations, toFrames } from './emission.js';
import { emissionLogLikelihoods, prepareEmission, scaledLikelihoods } from './emission-ops.js';
import type { Hmm } from './hmm.js';
import { logSumExp } from './linalg.js';

/** The Markov part of an HMM, which is all the recursions need besides emission likelihoods. */
export interface HmmCore {
  readonly numStates: number;
  readonly start: Float64Array;
  readonly transitions: Float64Array;
  readonly end: Float64Array | null;
}

/**
 * Scaled forward pass over likelihoods b: [T, S] (scaled by exp(-offset[t])). Writes the
 * normalised α̂_t into rows of alpha: [T, S] and c_t into scale: [T]. Returns log P(o_1..o_T)
 * (times P(stop) with end probabilities), the end normaliser Σ_i α̂_T(i) end(i) (1 without end),
 * and the first step whose probability is 0 (-1 when none; T when no state may stop).
 */
export function forwardScaled(
  h: HmmCore,
  b: Float64Array,
  offset: Float64Array,
  T: number,
  alpha: Float64Array,
  scale: Float64Array,
): { logLikelihood: number; endNorm: number; zeroAt: number } {
  const S = h.numStates;
  const A = h.transitions;
  const log = new LogAccumulator();
  for (let t = 0; t < T; t++) {
    const row = t * S;
    let c = 0;
    if (t === 0) {
      for (let j = 0; j < S; j++) alpha[j] = h.start[j]! * b[j]!;
    } else {
      for (let j = 0; j < S; j++) alpha[row + j] = 0;
      const prev = row - S;
      for (let i = 0; i < S; i++) {
        const ai = alpha[prev + i]!;
        if (ai === 0) continue;
        const ai0 = i * S;
        for (let j = 0; j < S; j++) alpha[row + j]! += ai * A[ai0 + j]!;
      }
      for (let j = 0; j < S; j++) alpha[row + j]! *= b[row + j]!;
    }
    for (let j = 0; j < S; j++) c += alpha[row + j]!;
    if (!(c > 0)) return { logLikelihood: Number.NEGATIVE_INFINITY, endNorm: 0, zeroAt: t };
    const inv = 1 / c;
    for (let j = 0; j < S; j++) alpha[row + j]! *= inv;
    scale[t] = c;
    log.add(c, offset[t]!);
  }
  return finish(h, alpha, (T - 1) * S, log.value(), T);
}

/**
 * Σ log c_t + offset_t without a Math.log per step: multiplies the c_t together and takes the
 * log only when the running product leaves [1e-250, 1e250].
 */
class LogAccumulator {
  private product = 1;
  private sum = 0;
  add(c: number, offset: number): void {
    this.product *= c;
    this.sum += offset;
    if (this.product < 1e-250 || this.product > 1e250) {
      this.sum += Math.log(this.product);
      this.product = 1;
    }
  }
  value(): number {
    return this.sum + Math.log(this.product);
  }
}

function finish(h: HmmCore, alpha: Float64Array, last: number, ll: number, T: number) {
  if (!h.end) return { logLikelihood: ll, endNorm: 1, zeroAt: -1 };
  let endNorm = 0;
  for (let i = 0; i < h.numStates; i++) endNorm += alpha[last + i]! * h.end[i]!;
  if (!(endNorm > 0)) return { logLikelihood: Number.NEGATIVE_INFINITY, endNorm: 0, zeroAt: T };
  return { logLikelihood: ll + Math.log(endNorm), endNorm, zeroAt: -1 };
}

/** The forward recursion keeping only two rows: log P(observations) in O(S) extra memory. */
export function forwardLogLikelihood(h: HmmCore, b: Float64Array, offset: Float64Array, T: number): number {
  const S = h.numStates;
  const A = h.transitions;
  let cur = new Float64Array(S);
  let next = new Float64Array(S);
  const log = new LogAccumulator();
  for (let t = 0; t < T; t++) {
    const bt = t * S;
    if (t === 0) {
      for (let j = 0; j < S; j++) next[j] = h.start[j]! * b[j]!;
    } else {
      for (let j = 0; j < S; j++) next[j] = 0;
      for (let i = 0; i < S; i++) {
        const ai = cur[i]!;
        if (ai === 0) continue;
        for (let j = 0; j < S; j++) next[j]! += ai * A[i * S + j]!;
      }
      for (let j = 0; j < S; j++) next[j]! *= b[bt + j]!;
    }
    let c = 0;
    for (let j = 0; j < S; j++) c += next[j]!;
    if (!(c > 0)) return Number.NEGATIVE_INFINITY;
    const inv = 1 / c;
    for (let j = 0; j < S; j++) next[j]! *= inv;
    log.add(c, offset[t]!);
    const tmp = cur;
    cur = next;
    next = tmp;
  }
  return finish(h, cur, 0, log.value(), T).logLikelihood;
}

/**
 * Scaled backward pass: β̂_T(i) = end(i) / endNorm (or 1), β̂_t(i) = Σ_j A_ij b_{t+1}(j) β̂_{t+1}(j) / c_{t+1},
 * so that α̂_t(i) β̂_t(i) = P(state_t = i | observations).
 */
export function backwardScaled(
  h: HmmCore,
  b: Float64Array,
  T: number,
  scale: Float64Array,
  endNorm: number,
  beta: Float64Array,
): void {
  const S = h.numStates;
  const A = h.transitions;
  const last = (T - 1) * S;
  for (let i = 0; i < S; i++) beta[last + i] = h.end ? h.end[i]! / endNorm : 1;
  for (let t = T - 2; t >= 0; t--) {
    const next = (t + 1) * S;
    const inv = 1 / scale[t + 1]!;
    for (let i = 0; i < S; i++) {
      let s = 0;
      const ai = i * S;
      for (let j = 0; j < S; j++) s += A[ai + j]! * b[next + j]! * beta[next + j]!;
      beta[t * S + i] = s * inv;
    }
  }
}

export interface ForwardBackwardResult {
  readonly logLikelihood: number;
  /** [T, S] P(state_t = s | observations). */
  readonly posteriors: Float64Array;
  /** [T, S] normalised forward variables α̂. */
  readonly alpha: Float64Array;
  /** [T, S] scaled backward variables β̂. */
  readonly beta: Float64Array;
  /** [T] the per-step normalisers c_t (of likelihoods scaled by exp(-offset_t)). */
  readonly scale: Float64Array;
}

function zeroProbability(t: number, T: number): InputError {
  return new InputError({
    what: 'observations',
    expected: 'a sequence with non-zero probability under the model',
    received:
      t >= T
        ? 'a sequence that cannot end in any state with non-zero stop probability'
        : `step ${t}, which has probability 0 given every earlier step`,
  });
}

/** Per-step emission likelihoods, scaled per step: b [T, S] and the log scale of each step. */
function scaledEmissions(
  hmm: Hmm,
  observations: Observations,
): { b: Float64Array; offset: Float64Array; T: number } {
  const f = toFrames(hmm.emission, observations);
  const S = hmm.numStates;
  const T = f.length;
  if (T === 0)
    throw new InputError({
      what: 'observations',
      expected: 'at least one step',
      received: 'an empty sequence',
    });
  const b = new Float64Array(T * S);
  const offset = new Float64Array(T);
  scaledLikelihoods(prepareEmission(hmm.emission), f, b, offset);
  return { b, offset, T };
}

/** log P(observations) by the scaled forward recursion (memory O(T S) for emissions only). */
export function hmmLogLikelihood(hmm: Hmm, observations: Observations): number {
  const { b, offset, T } = scaledEmissions(hmm, observations);
  return forwardLogLikelihood(hmm, b, offset, T);
}

/** Forward-backward: log-likelihood and the posterior state probabilities of every step. */
export function forwardBackward(hmm: Hmm, observations: Observations): ForwardBackwardResult {
  const S = hmm.numStates;
  const { b, offset, T } = scaledEmissions(hmm, observations);
  const alpha = new Float64Array(T * S);
  const beta = new Float64Array(T * S);
  const scale = new Float64Array(T);
  const fw = forwardScaled(hmm, b, offset, T, alpha, scale);
  if (fw.zeroAt >= 0) throw zeroProbability(fw.zeroAt, T);
  backwardScaled(hmm, b, T, scale, fw.endNorm, beta);
  const posteriors = new Float64Array(T * S);
  for (let i = 0; i < T * S; i++) posteriors[i] = alpha[i]! * beta[i]!;
  return { logLikelihood: fw.logLikelihood, posteriors, alpha, beta, scale };
}

/** Posterior state probabilities [T, S]. */
export function hmmPosteriors(hmm: Hmm, observations: Observations): Float64Array {
  return forwardBackward(hmm, observations).posteriors;
}

/**
 * The forward recursion in log space: logAlpha[t, j] = log P(o_1..o_t, state_t = j).
 * Slower than the scaled pass (a log-sum-exp per cell) and an independent check on it.
 */
export function forwardLog(
  hmm: Hmm,
  observations: Observations,
): { logAlpha: Float64Array; logLikelihood: number } {
  const f = toFrames(hmm.emission, observations);
  const S = hmm.numStates;
  const T = f.length;
  const logB = new Float64Array(T * S);
  emissionLogLikelihoods(prepareEmission(hmm.emission), f, logB);
  const logA = hmm.transitions.map(Math.log);
  const logAlpha = new Float64Array(T * S);
  const terms = new Float64Array(S);
  for (let j = 0; j < S; j++) logAlpha[j] = Math.log(hmm.start[j]!) + logB[j]!;
  for (let t = 1; t < T; t++) {
    const prev = (t - 1) * S;
    for (let j = 0; j < S; j++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < S; i++) {
        const v = logAlpha[prev + i]! + logA[i * S + j]!;
        terms[i] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      if (max !== Number.NEGATIVE_INFINITY) for (let i = 0; i < S; i++) sum += Math.exp(terms[i]! - max);
      logAlpha[t * S + j] = max + Math.log(sum) + logB[t * S + j]!;
    }
  }
  for (let i = 0; i < S; i++) terms[i] = logAlpha[(T - 1) * S + i]! + (hmm.end ? Math.log(hmm.end[i]!) : 0);
  return { logAlpha, logLikelihood: logSumExp(terms) };
}

/** The backward recursion in log space: logBeta[t, i] = log P(o_{t+1}..o_T (, stop) | state_t = i). */
export function backwardLog(hmm: Hmm, observations: Observations): { logBeta: Float64Array } {
  const f = toFrames(hmm.emission, observations);
  const S = hmm.numStates;
  const T = f.length;
  const logB = new Float64Array(T * S);
  emissionLogLikelihoods(prepareEmission(hmm.emission), f, logB);
  const logA = hmm.transitions.map(Math.log);
  const logBeta = new Float64Array(T * S);
  const terms = new Float64Array(S);
  for (let i = 0; i < S; i++) logBeta[(T - 1) * S + i] = hmm.end ? Math.log(hmm.end[i]!) : 0;
  for (let t = T - 2; t >= 0; t--) {
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++)
        terms[j] = logA[i * S + j]! + logB[(t + 1) * S + j]! + logBeta[(t + 1) * S + j]!;
      logBeta[t * S + i] = logSumExp(terms);
    }
  }
  return { logBeta };
}
