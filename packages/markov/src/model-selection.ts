/** Information criteria for choosing model sizes (the number of HMM states, a chain's order). */
import { emissionParameterCount } from './emission.js';
import type { Hmm } from './hmm.js';

/** Free parameters: (S - 1) start + S(S - 1) transitions (S² with stop probabilities) + emissions. */
export function hmmParameterCount(hmm: Hmm): number {
  const S = hmm.numStates;
  return S - 1 + (hmm.end ? S * S : S * (S - 1)) + emissionParameterCount(hmm.emission);
}

/** Akaike: 2k - 2 log L (lower is better). */
export function aic(logLikelihood: number, parameters: number): number {
  return 2 * parameters - 2 * logLikelihood;
}

/** Bayesian (Schwarz): k log n - 2 log L, n = number of observations (lower is better). */
export function bic(logLikelihood: number, parameters: number, observations: number): number {
  return parameters * Math.log(observations) - 2 * logLikelihood;
}
