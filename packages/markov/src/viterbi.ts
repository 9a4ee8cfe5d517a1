/**
 * Viterbi decoding: the most probable state path, in log space. Back-pointers use the smallest
 * integer type that fits S, so a million steps of a 16-state model take 16 MB.
 */
import { InputError } from '@strand/base';
import { type Observations, toFrames } from './emission.js';
import { emissionLogLikelihoods, prepareEmission } from './emission-ops.js';
import type { Hmm } from './hmm.js';
import type { HmmCore } from './hmm-inference.js';

export interface ViterbiResult {
  /** [T] the most probable states. */
  readonly path: Int32Array;
  /** log P(path, observations) (including the stop probability when the model has one). */
  readonly logProb: number;
}

/** Viterbi over log-likelihoods logB: [T, S]. */
export function viterbiCore(h: HmmCore, logB: Float64Array, T: number): ViterbiResult {
  const S = h.numStates;
  if (T === 0)
    throw new InputError({
      what: 'observations',
      expected: 'at least one step',
      received: 'an empty sequence',
    });
  const logA = h.transitions.map(Math.log);
  const back = S <= 256 ? new Uint8Array(T * S) : S <= 65536 ? new Uint16Array(T * S) : new Int32Array(T * S);
  let delta = new Float64Array(S);
  let next = new Float64Array(S);
  for (let j = 0; j < S; j++) delta[j] = Math.log(h.start[j]!) + logB[j]!;
  for (let t = 1; t < T; t++) {
    const bt = t * S;
    // Previous state outer, next state inner: contiguous rows of log A and of the running maxima
    // (about a quarter faster than the textbook loop order in V8). Ties keep the lowest state.
    const d0 = delta[0]!;
    for (let j = 0; j < S; j++) {
      next[j] = d0 + logA[j]!;
      back[bt + j] = 0;
    }
    for (let i = 1; i < S; i++) {
      const di = delta[i]!;
      const row = i * S;
      for (let j = 0; j < S; j++) {
        const v = di + logA[row + j]!;
        if (v > next[j]!) {
          next[j] = v;
          back[bt + j] = i;
        }
      }
    }
    for (let j = 0; j < S; j++) next[j]! += logB[bt + j]!;
    const tmp = delta;
    delta = next;
    next = tmp;
  }
  let best = Number.NEGATIVE_INFINITY;
  let arg = 0;
  for (let i = 0; i < S; i++) {
    const v = delta[i]! + (h.end ? Math.log(h.end[i]!) : 0);
    if (v > best) {
      best = v;
      arg = i;
    }
  }
  if (best === Number.NEGATIVE_INFINITY) {
    throw new InputError({
      what: 'observations',
      expected: 'a sequence with at least one state path of non-zero probability',
      received: 'one that every path gives probability 0',
    });
  }
  const path = new Int32Array(T);
  path[T - 1] = arg;
  for (let t = T - 1; t > 0; t--) path[t - 1] = back[t * S + path[t]!]!;
  return { path, logProb: best };
}

/** The most probable state sequence given the observations. */
export function viterbi(hmm: Hmm, observations: Observations): ViterbiResult {
  const f = toFrames(hmm.emission, observations);
  const logB = new Float64Array(f.length * hmm.numStates);
  emissionLogLikelihoods(prepareEmission(hmm.emission), f, logB);
  return viterbiCore(hmm, logB, f.length);
}
