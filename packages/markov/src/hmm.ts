/**
 * A hidden Markov model as plain data: start and transition probabilities, optional stop
 * probabilities, and an emission distribution. Algorithms are free functions over it.
 */
import { InputError, positiveInteger } from '@strand/base';
import { checkDistribution, toMatrix } from './checks.js';
import type { Emission } from './emission.js';
import { prepareEmission } from './emission-ops.js';

export interface Hmm<E extends Emission = Emission> {
  readonly numStates: number;
  /** [S] P(first state). */
  readonly start: Float64Array;
  /** [S, S] row i: P(next state | i). With `end`, row i sums to 1 - end[i]. */
  readonly transitions: Float64Array;
  /**
   * [S] P(stop after a step in state i), or null for the usual HMM that may stop anywhere.
   * With it, P(o_1..o_T) includes stopping after step T (Eisner's ice-cream HMM, Durbin's models
   * with an end state).
   */
  readonly end: Float64Array | null;
  readonly emission: E;
}

/** The parameters Baum-Welch can learn or initialise (as hmmlearn's "stmcw" letters). */
export type HmmParameter =
  | 'start'
  | 'transitions'
  | 'end'
  | 'emissions'
  | 'means'
  | 'covariances'
  | 'weights';

export interface HmmInit<E extends Emission> {
  readonly start: readonly number[] | Float64Array;
  readonly transitions: readonly (readonly number[])[] | Float64Array;
  readonly end?: readonly number[] | Float64Array;
  readonly emission: E;
}

/** Validates and builds an HMM: every row sums to 1 (transition rows to 1 - end[i]); covariances are SPD. */
export function createHmm<E extends Emission>(init: HmmInit<E>): Hmm<E> {
  const S = init.emission.numStates;
  positiveInteger(S, 'number of states');
  const start = toMatrix(init.start as readonly number[], 1, S, 'start probabilities');
  checkDistribution(start, 'start probabilities');
  const transitions = toMatrix(init.transitions, S, S, 'transitions');
  const end = init.end ? toMatrix(init.end as readonly number[], 1, S, 'end probabilities') : null;
  for (let i = 0; i < S; i++) {
    const stop = end ? end[i]! : 0;
    if (end && !(stop >= 0 && stop <= 1)) {
      throw new InputError({
        what: `end probability of state ${i}`,
        expected: 'a probability in [0, 1]',
        received: String(stop),
      });
    }
    checkDistribution(transitions, `row ${i} of transitions`, i * S, S, 1e-6, 1 - stop);
  }
  prepareEmission(init.emission); // throws on non-SPD covariances, naming the state
  return { numStates: S, start, transitions, end, emission: init.emission };
}
