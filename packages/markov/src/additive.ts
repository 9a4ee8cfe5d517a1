/**
 * The count-ratio methods: maximum likelihood, add-k (Laplace / Lidstone) and stupid backoff.
 * All use c(h ·) = Σ_x c(hx), the count of h as a context.
 */
import { BOS_ID, InputError, PAD_ID } from '@strand/base';
import { computePrefixes, type NgramCounts, predictedWords, sumIntoContexts } from './ngram-counts.js';
import type { NgramEstimate } from './ngram-smoothing.js';

/** Context totals c(h ·) for the (k-1)-grams, k = 2..order (index k - 2), and the unigram total. */
function contextTotals(c: NgramCounts): {
  unigramTotal: number;
  totals: Float64Array[];
  prefixes: Int32Array[];
} {
  const prefixes = computePrefixes(c.levels);
  const totals: Float64Array[] = [];
  for (let k = 2; k <= c.order; k++) {
    totals.push(
      sumIntoContexts(c.counts[k - 1]!, prefixes[k - 1]!, c.levels[k - 1]!.size, c.levels[k - 2]!.size),
    );
  }
  let unigramTotal = 0;
  const u = c.counts[0]!;
  for (let w = 0; w < u.length; w++) if (w !== BOS_ID && w !== PAD_ID) unigramTotal += u[w]!;
  return { unigramTotal, totals, prefixes };
}

/**
 * Maximum likelihood as a backoff model: backoff = log 0 for every context seen in training, so
 * unseen words there get probability 0; contexts never seen fall back to the shorter context.
 */
export function estimateMle(c: NgramCounts): NgramEstimate {
  const { unigramTotal, totals, prefixes } = contextTotals(c);
  const logProb: Float64Array[] = [];
  const backoff: Float64Array[] = [];
  for (let k = 1; k <= c.order; k++) {
    const size = c.levels[k - 1]!.size;
    const counts = c.counts[k - 1]!;
    const lp = new Float64Array(size);
    const bo = new Float64Array(size);
    if (k === 1) {
      for (let w = 0; w < size; w++) lp[w] = Math.log(counts[w]! / unigramTotal);
      lp[BOS_ID] = Number.NEGATIVE_INFINITY;
      lp[PAD_ID] = Number.NEGATIVE_INFINITY;
    } else {
      const prefix = prefixes[k - 1]!;
      const total = totals[k - 2]!;
      for (let id = 0; id < size; id++) lp[id] = Math.log(counts[id]! / total[prefix[id]!]!);
    }
    if (k < c.order) {
      const total = totals[k - 1]!;
      for (let h = 0; h < size; h++) if (total[h]! > 0) bo[h] = Number.NEGATIVE_INFINITY;
    }
    logProb.push(lp);
    backoff.push(bo);
  }
  return { queryKind: 'backoff', logProb, backoff };
}

/** (c(hw) + k) / (c(h ·) + k |V|), |V| = vocabulary without `<pad>` and `<bos>`; a context never seen is uniform. */
export function estimateAddK(c: NgramCounts, k: number): NgramEstimate {
  if (!(k > 0) || !Number.isFinite(k)) {
    throw new InputError({
      what: 'add-k smoothing k',
      expected: 'a finite number > 0',
      received: String(k),
    });
  }
  const v = predictedWords(c.vocabSize);
  const { unigramTotal, totals, prefixes } = contextTotals(c);
  const logProb: Float64Array[] = [];
  const backoff: Float64Array[] = [];
  for (let n = 1; n <= c.order; n++) {
    const size = c.levels[n - 1]!.size;
    const counts = c.counts[n - 1]!;
    const lp = new Float64Array(size);
    const unseen = new Float64Array(size);
    if (n === 1) {
      for (let w = 0; w < size; w++) lp[w] = Math.log((counts[w]! + k) / (unigramTotal + k * v));
      lp[BOS_ID] = Number.NEGATIVE_INFINITY;
      lp[PAD_ID] = Number.NEGATIVE_INFINITY;
    } else {
      const prefix = prefixes[n - 1]!;
      const total = totals[n - 2]!;
      for (let id = 0; id < size; id++) lp[id] = Math.log((counts[id]! + k) / (total[prefix[id]!]! + k * v));
    }
    if (n < c.order) {
      const total = totals[n - 1]!;
      for (let h = 0; h < size; h++) unseen[h] = Math.log(k / (total[h]! + k * v));
    }
    logProb.push(lp);
    backoff.push(unseen);
  }
  return { queryKind: 'add-k', logProb, backoff };
}

/** Stupid backoff scores: relative frequencies (add-one at the unigram level); the query applies alpha. */
export function estimateStupidBackoff(c: NgramCounts): NgramEstimate {
  const { unigramTotal, totals, prefixes } = contextTotals(c);
  const v = predictedWords(c.vocabSize);
  const logProb: Float64Array[] = [];
  const backoff: Float64Array[] = [];
  for (let k = 1; k <= c.order; k++) {
    const size = c.levels[k - 1]!.size;
    const counts = c.counts[k - 1]!;
    const lp = new Float64Array(size);
    if (k === 1) {
      for (let w = 0; w < size; w++) lp[w] = Math.log((counts[w]! + 1) / (unigramTotal + v));
      lp[BOS_ID] = Number.NEGATIVE_INFINITY;
      lp[PAD_ID] = Number.NEGATIVE_INFINITY;
    } else {
      const prefix = prefixes[k - 1]!;
      const total = totals[k - 2]!;
      for (let id = 0; id < size; id++) lp[id] = Math.log(counts[id]! / total[prefix[id]!]!);
    }
    logProb.push(lp);
    backoff.push(new Float64Array(size));
  }
  return { queryKind: 'stupid-backoff', logProb, backoff };
}
