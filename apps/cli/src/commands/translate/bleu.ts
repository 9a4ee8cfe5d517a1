/**
 * Corpus BLEU (Papineni et al. 2002) exactly as nltk 3.8's `corpus_bleu` computes it with its
 * defaults (weights 0.25 × 4, no smoothing): clipped n-gram counts and hypothesis lengths are summed
 * over the corpus first, the brevity penalty uses each hypothesis's closest reference length (ties:
 * the shorter), a zero 1-gram match count gives 0, and a zero higher-order count contributes
 * log(2.2250738585072014e-308) (nltk's `method0` floor, sys.float_info.min) instead of -∞.
 * Scores are in [0, 1]; the report multiplies by 100.
 */
import { InputError } from '@strand/base';

/** sys.float_info.min: what nltk substitutes for a zero n-gram precision. */
const FLOAT_MIN = 2.2250738585072014e-308;

export interface BleuStats {
  /** Clipped matches per order 1..maxOrder. */
  readonly matches: number[];
  /** max(1, hypothesis n-grams) per order, summed: nltk's denominators. */
  readonly totals: number[];
  readonly hypothesisLength: number;
  /** Sum of closest reference lengths. */
  readonly referenceLength: number;
}

export interface BleuResult {
  readonly bleu: number;
  /** Modified precision per order (matches / totals). */
  readonly precisions: readonly number[];
  readonly brevityPenalty: number;
  readonly hypothesisLength: number;
  readonly referenceLength: number;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Closest reference length; ties go to the shorter reference (nltk's closest_ref_length). */
export function closestReferenceLength(
  references: readonly (readonly string[])[],
  hypLength: number,
): number {
  let best = Number.POSITIVE_INFINITY;
  for (const r of references) {
    const d = Math.abs(r.length - hypLength);
    const bd = Math.abs(best - hypLength);
    if (d < bd || (d === bd && r.length < best)) best = r.length;
  }
  return best;
}

/** nltk's brevity_penalty(closest_ref_len, hyp_len). */
export function brevityPenalty(referenceLength: number, hypothesisLength: number): number {
  if (hypothesisLength > referenceLength) return 1;
  if (hypothesisLength === 0) return 0;
  return Math.exp(1 - referenceLength / hypothesisLength);
}

/** Sufficient statistics of one sentence (summed over a corpus before the score is taken). */
export function sentenceStats(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  maxOrder = 4,
): BleuStats {
  if (references.length === 0) {
    throw new InputError({ what: 'BLEU references', expected: 'at least one reference', received: 'none' });
  }
  const matches: number[] = [];
  const totals: number[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const counts = ngramCounts(hypothesis, n);
    const maxRef = new Map<string, number>();
    for (const r of references) {
      for (const [k, c] of ngramCounts(r, n)) maxRef.set(k, Math.max(maxRef.get(k) ?? 0, c));
    }
    let clipped = 0;
    let total = 0;
    for (const [k, c] of counts) {
      clipped += Math.min(c, maxRef.get(k) ?? 0);
      total += c;
    }
    matches.push(clipped);
    totals.push(Math.max(1, total));
  }
  return {
    matches,
    totals,
    hypothesisLength: hypothesis.length,
    referenceLength: closestReferenceLength(references, hypothesis.length),
  };
}

/** The score of summed statistics. */
export function bleuFromStats(stats: readonly BleuStats[], maxOrder = 4): BleuResult {
  const matches = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let hyp = 0;
  let ref = 0;
  for (const s of stats) {
    for (let i = 0; i < maxOrder; i++) {
      matches[i]! += s.matches[i]!;
      totals[i]! += s.totals[i]!;
    }
    hyp += s.hypothesisLength;
    ref += s.referenceLength;
  }
  const precisions = matches.map((m, i) => (totals[i]! === 0 ? 0 : m / totals[i]!));
  const bp = brevityPenalty(ref, hyp);
  const base = { precisions, brevityPenalty: bp, hypothesisLength: hyp, referenceLength: ref };
  if (stats.length === 0 || matches[0] === 0) return { bleu: 0, ...base };
  let sum = 0;
  for (let i = 0; i < maxOrder; i++) {
    const p = matches[i]! === 0 ? FLOAT_MIN : matches[i]! / totals[i]!;
    sum += Math.log(p) / maxOrder;
  }
  return { bleu: bp * Math.exp(sum), ...base };
}

/**
 * nltk.translate.bleu_score.corpus_bleu(listOfReferences, hypotheses) with default weights.
 * @param references per sentence, one or more tokenised references
 * @param hypotheses per sentence, the tokenised hypothesis
 */
export function corpusBleu(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
  maxOrder = 4,
): BleuResult {
  if (references.length !== hypotheses.length) {
    throw new InputError({
      what: 'BLEU corpus',
      expected: `as many reference lists as hypotheses (${hypotheses.length})`,
      received: `${references.length}`,
    });
  }
  return bleuFromStats(
    hypotheses.map((h, i) => sentenceStats(references[i]!, h, maxOrder)),
    maxOrder,
  );
}
