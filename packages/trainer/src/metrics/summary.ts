/**
 * Scalar metrics from a mean negative log-likelihood in nats, and a running mean that weights
 * each batch by its token count (so the result is the per-token mean over the whole set, not the
 * mean of per-batch means). Tensor-free.
 */
import { InputError, nonNegativeNumber } from '@strand/base';

/** exp(nats): perplexity from the mean NLL per token in nats. */
export function perplexity(nats: number): number {
  return Math.exp(nats);
}

/** nats / ln 2: bits per character (or per token) from the mean NLL in nats. */
export function bitsPerCharacter(nats: number): number {
  return nats / Math.LN2;
}

export interface MeanState {
  readonly sum: number;
  readonly count: number;
}

/**
 * A weighted running mean: `add(meanOfBatch, tokensInBatch)`; `value` is sum / count (NaN
 * before anything was added).
 *
 * @example
 * const loss = new MeanMeter();
 * for (const b of batches) loss.add(batchMeanLoss, b.tokens);
 * console.log(loss.value, perplexity(loss.value), bitsPerCharacter(loss.value));
 */
export class MeanMeter {
  #sum = 0;
  #count = 0;

  /** Adds `count` observations whose mean is `mean` (count defaults to 1). */
  add(mean: number, count = 1): this {
    nonNegativeNumber(count, 'count');
    if (typeof mean !== 'number') {
      throw new InputError({ what: 'MeanMeter.add mean', expected: 'a number', received: typeof mean });
    }
    if (count === 0) return this;
    this.#sum += mean * count;
    this.#count += count;
    return this;
  }

  get value(): number {
    return this.#count === 0 ? Number.NaN : this.#sum / this.#count;
  }

  get count(): number {
    return this.#count;
  }

  reset(): void {
    this.#sum = 0;
    this.#count = 0;
  }

  state(): MeanState {
    return { sum: this.#sum, count: this.#count };
  }

  static restore(state: MeanState): MeanMeter {
    const m = new MeanMeter();
    m.#sum = state.sum;
    m.#count = nonNegativeNumber(state.count, 'count');
    return m;
  }
}
