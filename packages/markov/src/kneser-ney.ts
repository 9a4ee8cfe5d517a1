/**
 * Interpolated Kneser-Ney and modified Kneser-Ney, following KenLM's lmplz (Heafield et al. 2013):
 * - adjusted counts a(g): raw counts at the highest order and for n-grams starting with `<s>`;
 *   otherwise the continuation count N1+(· g), the number of distinct words seen before g;
 * - discounts per order from the counts of adjusted counts n1..n4 (Chen & Goodman eq. 26);
 * - p(w | h) = (a(hw) - D(a(hw))) / Σ_x a(hx) + γ(h) p(w | h'),
 *   γ(h) = Σ_j D_j N_j(h ·) / Σ_x a(hx);
 * - unigrams interpolate with the uniform distribution over the vocabulary without `<pad>` and `<bos>`
 *   (`<unk>` included), so every word, known or not, has non-zero probability.
 */
import { BOS_ID, InputError, PAD_ID } from '@strand/base';
import {
  computePrefixes,
  continuationCounts,
  type NgramCounts,
  predictedWords,
  sumIntoContexts,
} from './ngram-counts.js';
import type { NgramEstimate, NgramSmoothing } from './ngram-smoothing.js';

type KneserNey = Extract<NgramSmoothing, { kind: 'kneser-ney' | 'modified-kneser-ney' }>;

/** Adjusted counts of every order (index k - 1 for k-grams). `<s>` (and `<pad>`) as a unigram gets 0: it is never predicted. */
export function adjustedCounts(c: NgramCounts): Int32Array[] {
  const out: Int32Array[] = [];
  for (let k = 1; k <= c.order; k++) {
    const level = c.levels[k - 1]!;
    const raw = c.counts[k - 1]!;
    if (k === c.order) {
      out.push(Int32Array.from(raw));
    } else {
      const a = continuationCounts(c.levels[k]!, level.size);
      for (let id = 0; id < level.size; id++) if (level.first[id] === BOS_ID) a[id] = raw[id]!;
      out.push(a);
    }
  }
  out[0]![BOS_ID] = 0;
  out[0]![PAD_ID] = 0;
  return out;
}

/** n[j] = number of n-grams with adjusted count j, for j = 1..4 (n[0] unused). */
export function countsOfCounts(a: Int32Array): number[] {
  const n = [0, 0, 0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v >= 1 && v <= 4) n[v]!++;
  }
  return n;
}

/** KenLM's modified discounts [D1, D2, D3+] from counts of counts, or null when they cannot be estimated. */
export function modifiedDiscounts(n: readonly number[]): [number, number, number] | null {
  if (!(n[1]! > 0 && n[2]! > 0 && n[3]! > 0)) return null;
  const y = n[1]! / (n[1]! + 2 * n[2]!);
  const d: [number, number, number] = [0, 0, 0];
  for (let j = 1; j <= 3; j++) {
    d[j - 1] = j - ((j + 1) * y * n[j + 1]!) / n[j]!;
    if (!(d[j - 1]! >= 0 && d[j - 1]! <= j)) return null;
  }
  return d;
}

function discountsFor(s: KneserNey, k: number, a: Int32Array): [number, number, number] {
  const n = countsOfCounts(a);
  if (s.kind === 'kneser-ney') {
    const given = typeof s.discount === 'number' ? s.discount : s.discount?.[k - 1];
    const d = given ?? n[1]! / (n[1]! + 2 * n[2]!);
    if (!(d > 0 && d <= 1)) {
      throw new InputError({
        what: `Kneser-Ney discount for ${k}-grams`,
        expected: 'a number in (0, 1]',
        received: given === undefined ? `${d} from counts of counts n1=${n[1]}, n2=${n[2]}` : String(d),
        hint: given === undefined ? 'small or artificial data: pass { discount: 0.75 }' : undefined,
      });
    }
    return [d, d, d];
  }
  const fixed = s.discounts?.[k - 1];
  if (fixed) return [fixed[0], fixed[1], fixed[2]];
  const d = modifiedDiscounts(n) ?? (s.discountFallback ? [...s.discountFallback] : null);
  if (!d) {
    throw new InputError({
      what: `modified Kneser-Ney discounts for ${k}-grams`,
      expected: 'counts of adjusted counts n1, n2, n3 > 0 giving discounts D_j in [0, j]',
      received: `n1..n4 = ${n.slice(1).join(', ')}`,
      hint: 'small or artificial data: pass discountFallback: [0.5, 1, 1.5] (KenLM --discount_fallback)',
    });
  }
  return d as [number, number, number];
}

export function estimateKneserNey(c: NgramCounts, s: KneserNey): NgramEstimate {
  const a = adjustedCounts(c);
  const prefixes = computePrefixes(c.levels);
  const logProb: Float64Array[] = [];
  const backoff: Float64Array[] = [];
  const discounts: number[][] = [];
  let lower = new Float64Array(0); // linear probabilities of the order below
  for (let k = 1; k <= c.order; k++) {
    const level = c.levels[k - 1]!;
    const size = level.size;
    const ak = a[k - 1]!;
    const d = discountsFor(s, k, ak);
    discounts.push(s.kind === 'kneser-ney' ? [d[0]] : d);
    const discounted = new Float64Array(size);
    for (let id = 0; id < size; id++) {
      const v = ak[id]!;
      discounted[id] = v === 0 ? 0 : d[Math.min(v, 3) - 1]!;
    }
    const p = new Float64Array(size);
    if (k === 1) {
      let den = 0;
      let gammaNum = 0;
      for (let w = 0; w < size; w++) {
        den += ak[w]!;
        gammaNum += discounted[w]!;
      }
      const uniform = 1 / predictedWords(c.vocabSize);
      for (let w = 0; w < size; w++) p[w] = (ak[w]! - discounted[w]!) / den + (gammaNum / den) * uniform;
      p[BOS_ID] = 0;
      p[PAD_ID] = 0;
    } else {
      const prefix = prefixes[k - 1]!;
      const contextSize = c.levels[k - 2]!.size;
      const den = sumIntoContexts(ak, prefix, size, contextSize);
      const gammaNum = sumIntoContexts(discounted, prefix, size, contextSize);
      const bo = backoff[k - 2]!;
      for (let h = 0; h < contextSize; h++) if (den[h]! > 0) bo[h] = Math.log(gammaNum[h]! / den[h]!);
      for (let id = 0; id < size; id++) {
        const h = prefix[id]!;
        p[id] = (ak[id]! - discounted[id]!) / den[h]! + (gammaNum[h]! / den[h]!) * lower[level.back[id]!]!;
      }
    }
    const lp = new Float64Array(size);
    for (let id = 0; id < size; id++) lp[id] = Math.log(p[id]!);
    logProb.push(lp);
    backoff.push(new Float64Array(size));
    lower = p;
  }
  return { queryKind: 'backoff', logProb, backoff, discounts };
}
