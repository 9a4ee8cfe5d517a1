/**
 * The one interface every sequence model in Strand implements: n-gram language models, Markov
 * chains and HMMs in `@strand/markov`, and the neural language models (LSTM, GRU, transformer) in
 * `@strand/trainer` and `@strand/attention`. It lives here, without tensors, so that a neural
 * package implements it without importing the n-gram package, and users compare a 5-gram and an
 * LSTM with the same call: `model.perplexity(heldOut)`.
 */

/** A sequence of symbol ids (integers in [0, numSymbols)). */
export type Sequence = readonly number[] | Int32Array;

export interface SampleOptions {
  /** Seed of the generator; the same seed gives the same sample. Default 0. */
  readonly seed?: number;
  /**
   * Softmax temperature: each predictive distribution p is replaced by p^(1/T), renormalised.
   * 1 (the default) samples from the model; below 1 is greedier; must be > 0.
   */
  readonly temperature?: number;
}

export interface SequenceModel {
  /**
   * Natural-log probability of the whole sequence. Models with an end-of-sequence event (n-gram
   * language models) include it, so the probabilities of all finite sequences sum to 1.
   */
  logProb(sequence: Sequence): number;
  /**
   * exp(-(sum of logProb) / (number of predicted events)): per-symbol perplexity over the set.
   * The events are the symbols, plus one end-of-sequence event per sequence where the model
   * predicts one (n-gram LMs, as KenLM and SRILM count `</s>`).
   */
  perplexity(sequences: readonly Sequence[]): number;
  /**
   * Draws a sequence. Models with an end-of-sequence event stop there, so the result may be
   * shorter than `length`; others return exactly `length` symbols.
   */
  sample(length: number, options?: SampleOptions): Int32Array;
}

/** exp(-totalLogProb / events), NaN when there are no events. */
export function perplexityFromLogProb(totalLogProb: number, events: number): number {
  if (events <= 0) return Number.NaN;
  return Math.exp(-totalLogProb / events);
}
