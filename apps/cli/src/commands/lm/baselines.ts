/**
 * The baselines a character language model is reported beside, trained on the same split:
 * the unigram floor (character frequencies alone) and the order-5 modified Kneser-Ney n-gram from
 * `@strand/markov`. Both in nats per character over the validation text.
 */
import { trainNgramLm } from '@strand/markov';

export interface Baseline {
  readonly name: string;
  readonly natsPerChar: number;
  readonly seconds: number;
}

/** Cross-entropy of the validation text under the training text's character frequencies (add-one). */
export function unigramBaseline(train: string, valid: string): Baseline {
  const started = performance.now();
  const counts = new Map<string, number>();
  for (const c of train) counts.set(c, (counts.get(c) ?? 0) + 1);
  for (const c of valid) if (!counts.has(c)) counts.set(c, 0);
  const total = [...counts.values()].reduce((a, b) => a + b, 0) + counts.size;
  let nats = 0;
  let n = 0;
  for (const c of valid) {
    nats -= Math.log(((counts.get(c) ?? 0) + 1) / total);
    n++;
  }
  return {
    name: 'unigram (character frequencies)',
    natsPerChar: nats / n,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * A character n-gram with modified Kneser-Ney smoothing over the training text as one sequence; its
 * validation cross-entropy per predicted event (the characters and one end-of-text).
 */
export function ngramBaseline(
  train: string,
  valid: string,
  order = 5,
): Baseline & { readonly order: number } {
  const started = performance.now();
  // 65 distinct characters leave the unigram level too few count-of-counts for KenLM's discount
  // formula; its --discount_fallback values are what KenLM itself would use.
  const lm = trainNgramLm([[...train]], {
    order,
    smoothing: { kind: 'modified-kneser-ney', discountFallback: [0.5, 1, 1.5] },
  });
  const { logProb, events } = lm.evaluate([[...valid]]);
  return {
    name: `${order}-gram, modified Kneser-Ney`,
    order,
    natsPerChar: -logProb / events,
    seconds: (performance.now() - started) / 1000,
  };
}
