/**
 * Smoothing methods for n-gram language models, as typed, JSON-serialisable configs, and the
 * estimate they produce. Every method except add-k and stupid backoff yields a backoff model
 * (the form ARPA files store): for an n-gram hw in the model, log P(w | h) = logProb[hw]; otherwise
 * log P(w | h) = backoff[h] + log P(w | h'), where h' drops the oldest word of h.
 */
export type NgramSmoothing =
  /** Relative frequencies. Unseen events get probability 0 (perplexity can be infinite). */
  | { readonly kind: 'mle' }
  /** (c(hw) + k) / (c(h) + k |V|): Laplace for k = 1, Lidstone otherwise. */
  | { readonly kind: 'add-k'; readonly k: number }
  /** Interpolated Witten-Bell (Chen & Goodman 1998, eq. 18), bottoming out in the uniform distribution. */
  | { readonly kind: 'witten-bell' }
  /**
   * Interpolated Kneser-Ney with one discount per order. Default discount: Ney's
   * n1 / (n1 + 2 n2) from the counts of (adjusted) counts of each order.
   */
  | { readonly kind: 'kneser-ney'; readonly discount?: number | readonly number[] }
  /**
   * Interpolated modified Kneser-Ney (Chen & Goodman), with KenLM's estimates: three discounts per
   * order D_j = j - (j + 1) Y n_{j+1} / n_j, Y = n1 / (n1 + 2 n2), from counts of adjusted counts.
   */
  | {
      readonly kind: 'modified-kneser-ney';
      /** Fixed discounts [D1, D2, D3+] per order (index 0 = unigrams), instead of estimates. */
      readonly discounts?: readonly (readonly [number, number, number])[];
      /** Used for an order whose estimate fails (small data), like KenLM's --discount_fallback. */
      readonly discountFallback?: readonly [number, number, number];
    }
  /**
   * Stupid backoff (Brants et al. 2007): c(hw)/c(h) if seen, else alpha * S(w | h'). Scores are NOT
   * normalised probabilities; "perplexity" from them is not a true perplexity. The unigram level is
   * add-one smoothed so unknown words score above zero (Brants et al. use c(w)/N).
   */
  | { readonly kind: 'stupid-backoff'; readonly alpha?: number };

/** How a query combines the stored numbers. */
export type NgramQueryKind = 'backoff' | 'add-k' | 'stupid-backoff';

export interface NgramEstimate {
  readonly queryKind: NgramQueryKind;
  /** logProb[k - 1][id]: natural-log probability (or score) of k-gram id given its first k - 1 words. */
  readonly logProb: Float64Array[];
  /**
   * backoff[k - 1][id]: natural-log backoff weight of k-gram id as a context (0 when it is not one).
   * For add-k: log P(any unseen word | this context).
   */
  readonly backoff: Float64Array[];
  /** Discounts used, per order (index 0 = unigrams): [D] for Kneser-Ney, [D1, D2, D3+] for modified. */
  readonly discounts?: readonly (readonly number[])[];
}
