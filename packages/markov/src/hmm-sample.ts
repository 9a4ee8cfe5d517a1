/** Sampling HMMs, and the SequenceModel view of a categorical HMM. */
import {
  nonNegativeInteger,
  perplexityFromLogProb,
  positiveNumber,
  Rng,
  type SampleOptions,
  type Sequence,
  type SequenceModel,
} from '@strand/base';
import { checkSequences } from './checks.js';
import type { CategoricalEmission } from './emission.js';
import { prepareEmission, sampleEmission, tempered } from './emission-ops.js';
import type { Hmm } from './hmm.js';
import { hmmLogLikelihood } from './hmm-inference.js';

export interface HmmSample {
  /** [T] the hidden states. */
  readonly states: Int32Array;
  /** [T] symbols (categorical) or [T, D] values. */
  readonly observations: Int32Array | Float64Array;
}

/**
 * Draws `length` steps (fewer when the model has stop probabilities and stops first).
 * Temperature tempers start, transition, stop and categorical/mixture-weight distributions as
 * p^(1/T) and scales Gaussian covariances by T.
 */
export function sampleHmm(hmm: Hmm, length: number, options: SampleOptions = {}): HmmSample {
  nonNegativeInteger(length, 'length');
  const temperature = positiveNumber(options.temperature ?? 1, 'temperature');
  const rng = new Rng(options.seed ?? 0);
  const S = hmm.numStates;
  const e = hmm.emission;
  const prepared = prepareEmission(e);
  const dim = e.kind === 'categorical' ? 1 : e.dim;
  const states = new Int32Array(length);
  const obs = e.kind === 'categorical' ? new Int32Array(length) : new Float64Array(length * dim);
  const buffer = new Float64Array(
    Math.max(S + 1, e.kind === 'categorical' ? e.numSymbols : e.kind === 'gmm' ? e.numComponents : 1),
  );
  const row = new Float64Array(S + 1);
  let s = rng.categorical(tempered(hmm.start, 0, S, temperature, buffer), 0, S);
  let t = 0;
  while (t < length) {
    states[t] = s;
    sampleEmission(prepared, s, rng, temperature, obs, t, buffer);
    t++;
    if (t === length) break;
    for (let j = 0; j < S; j++) row[j] = hmm.transitions[s * S + j]!;
    row[S] = hmm.end ? hmm.end[s]! : 0;
    const next = rng.categorical(tempered(row, 0, S + 1, temperature, buffer), 0, S + 1);
    if (next === S) break; // stopped
    s = next;
  }
  return { states: states.slice(0, t), observations: obs.slice(0, t * dim) };
}

/** A categorical HMM as a SequenceModel: logProb is log P(observations), summed over state paths. */
export function hmmSequenceModel(hmm: Hmm<CategoricalEmission>): SequenceModel {
  return {
    logProb: (sequence: Sequence) => hmmLogLikelihood(hmm, sequence),
    perplexity: (sequences: readonly Sequence[]) => {
      checkSequences(sequences);
      let ll = 0;
      let n = 0;
      for (const s of sequences) {
        ll += hmmLogLikelihood(hmm, s);
        n += s.length;
      }
      return perplexityFromLogProb(ll, n);
    },
    sample: (length: number, options?: SampleOptions) =>
      sampleHmm(hmm, length, options).observations as Int32Array,
  };
}
