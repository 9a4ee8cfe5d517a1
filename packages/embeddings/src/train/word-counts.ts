import { positiveInteger } from '@strand/base';

/**
 * Skip-gram's word counts: the words kept for training with their frequencies (for subsampling and the
 * negative-sampling table). Not a `Vocabulary` (base's id convention with specials): skip-gram has no
 * padding or unknown token, and row i of its vectors is `words[i]`.
 */
export interface WordCounts {
  /** Most frequent first; ties in alphabetical order, so the order does not depend on the corpus order. */
  readonly words: readonly string[];
  readonly counts: Int32Array;
  readonly index: ReadonlyMap<string, number>;
}

/** Counts words and keeps those seen at least `minCount` times (at most `maxSize`, the most frequent). */
export function countWords(
  sentences: readonly (readonly string[])[],
  { minCount = 5, maxSize }: { minCount?: number; maxSize?: number } = {},
): WordCounts {
  positiveInteger(minCount, 'minCount');
  const counts = new Map<string, number>();
  for (const s of sentences) for (const w of s) counts.set(w, (counts.get(w) ?? 0) + 1);
  let kept = [...counts].filter(([, c]) => c >= minCount);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (maxSize !== undefined) kept = kept.slice(0, maxSize);
  return {
    words: kept.map(([w]) => w),
    counts: Int32Array.from(kept.map(([, c]) => c)),
    index: new Map(kept.map(([w], i) => [w, i])),
  };
}

/**
 * The table negatives are drawn from: word i fills a share of the slots proportional to count^power
 * (word2vec's unigram^0.75, which draws rare words more often than their frequency).
 */
export function unigramTable(counts: Int32Array, size: number, power = 0.75): Int32Array {
  const table = new Int32Array(size);
  let total = 0;
  for (const c of counts) total += c ** power;
  let i = 0;
  let cumulative = counts.length > 0 ? counts[0]! ** power / total : 1;
  for (let slot = 0; slot < size; slot++) {
    table[slot] = i;
    if (slot / size > cumulative && i < counts.length - 1) {
      i++;
      cumulative += counts[i]! ** power / total;
    }
  }
  return table;
}
