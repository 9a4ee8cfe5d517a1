/**
 * The inner loop of every n-gram query: ln P(w | the `len` words before position `end` of `ctx`).
 * Allocation-free; ctx holds word ids, ctx[end - 1] is the most recent.
 */
import type { NgramLevel } from './ngram-level.js';
import type { NgramQueryKind } from './ngram-smoothing.js';

export interface NgramTables {
  readonly order: number;
  readonly levels: readonly NgramLevel[];
  readonly logProb: readonly Float64Array[];
  readonly backoff: readonly Float64Array[];
  readonly queryKind: NgramQueryKind;
  /** ln(alpha) for stupid backoff. */
  readonly logAlpha: number;
  /** ln(1 / |V|) for add-k contexts never seen. */
  readonly logUniform: number;
}

export function ngramLogProb(t: NgramTables, ctx: Int32Array, end: number, len: number, w: number): number {
  const levels = t.levels;
  const logProb = t.logProb;
  if (len > t.order - 1) len = t.order - 1;
  // Longest match: extend the n-gram ending in w leftwards, one probe per order.
  let best = logProb[0]![w]!;
  let matched = 1;
  let id = w;
  for (let k = 2; k <= len + 1; k++) {
    id = levels[k - 1]!.find(id, ctx[end - k + 1]!);
    if (id < 0) break;
    const v = logProb[k - 1]![id]!;
    if (!Number.isNaN(v)) {
      // NaN marks a blank n-gram, present only as a trie node
      best = v;
      matched = k;
    }
  }
  if (t.queryKind === 'backoff') {
    if (matched > len) return best;
    // Add the backoff weights of the contexts longer than the match: lengths matched .. len.
    const backoff = t.backoff;
    let cid = ctx[end - 1]!;
    for (let j = 1; j <= len; j++) {
      if (j > 1) {
        cid = levels[j - 1]!.find(cid, ctx[end - j]!);
        if (cid < 0) break;
      }
      if (j >= matched) best += backoff[j - 1]![cid]!;
    }
    return best;
  }
  if (t.queryKind === 'stupid-backoff') return best + (len + 1 - matched) * t.logAlpha;
  // add-k: only the full context counts.
  if (matched === len + 1) return best;
  if (len === 0) return best;
  let cid = ctx[end - 1]!;
  for (let j = 2; j <= len; j++) {
    cid = levels[j - 1]!.find(cid, ctx[end - j]!);
    if (cid < 0) return t.logUniform;
  }
  return t.backoff[len - 1]![cid]!;
}
