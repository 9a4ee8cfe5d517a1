/**
 * Counting n-grams of sentences padded KenLM's way: one `<s>` before, one `</s>` after, so the
 * first word's longest context is `<s>` and no n-gram has `<s>` after its first position.
 */
import { BOS_ID, EOS_ID, PAD_ID } from '@strand/base';
import { NgramLevel } from './ngram-level.js';

/**
 * Number of words an n-gram model predicts: every id of the vocabulary but `<pad>` (id 0, never
 * part of a sentence) and `<bos>` (id 2, always given, never predicted). `<unk>` and `<eos>` count.
 */
export function predictedWords(vocabSize: number): number {
  return vocabSize - 2;
}

/** True for the ids an n-gram model never predicts (`<pad>`, `<bos>`): their probability is 0. */
export function isNeverPredicted(id: number): boolean {
  return id === PAD_ID || id === BOS_ID;
}

export interface NgramCounts {
  readonly order: number;
  readonly vocabSize: number;
  /** levels[k - 1] holds the k-grams. */
  readonly levels: NgramLevel[];
  /** counts[k - 1][id]: raw count of k-gram id. */
  readonly counts: Int32Array[];
}

/** Counts all n-grams of orders 1..order in sentences of word ids (without boundary markers). */
export function countNgrams(sentences: readonly Int32Array[], order: number, vocabSize: number): NgramCounts {
  let tokens = 0;
  for (const s of sentences) tokens += s.length + 2;
  const levels: NgramLevel[] = [new NgramLevel(vocabSize, true)];
  let counts: Int32Array[] = [new Int32Array(vocabSize)];
  for (let k = 2; k <= order; k++) {
    levels.push(new NgramLevel(Math.min(tokens, 1 << 16)));
    counts.push(new Int32Array(Math.min(tokens, 1 << 16)));
  }
  const ids = new Int32Array(order);
  let padded = new Int32Array(64);
  for (const s of sentences) {
    const n = s.length + 2;
    if (padded.length < n) padded = new Int32Array(n * 2);
    padded[0] = BOS_ID;
    padded.set(s, 1);
    padded[n - 1] = EOS_ID;
    counts[0]![BOS_ID]!++;
    for (let i = 1; i < n; i++) {
      const w = padded[i]!;
      ids[0] = w;
      counts[0]![w]!++;
      const top = Math.min(order, i + 1);
      for (let k = 2; k <= top; k++) {
        const level = levels[k - 1]!;
        const id = level.insert(ids[k - 2]!, padded[i - k + 1]!);
        ids[k - 1] = id;
        let c = counts[k - 1]!;
        if (id >= c.length) {
          const grown = new Int32Array(Math.max(c.length * 2, level.back.length));
          grown.set(c);
          counts[k - 1] = c = grown;
        }
        c[id]!++;
      }
    }
  }
  counts = counts.map((c, k) => (c.length > levels[k]!.size ? c.slice(0, levels[k]!.size) : c));
  for (const level of levels) level.trim();
  return { order, vocabSize, levels, counts };
}

/**
 * prefix[k - 1][id] = id of the (k-1)-gram made of the first k-1 words of k-gram id (its context).
 * prefix[0] is empty. Every prefix exists, because every occurrence of an n-gram contains one of its prefix.
 */
export function computePrefixes(levels: readonly NgramLevel[]): Int32Array[] {
  const prefixes: Int32Array[] = [new Int32Array(0)];
  for (let k = 2; k <= levels.length; k++) {
    const level = levels[k - 1]!;
    const out = new Int32Array(level.size);
    if (k === 2) {
      out.set(level.first.subarray(0, level.size));
    } else {
      const lower = levels[k - 2]!;
      const lowerPrefix = prefixes[k - 2]!;
      for (let id = 0; id < level.size; id++) {
        // w1..wk: prefix = (w1..w_{k-1}) = find(back = prefix of (w2..wk), first = w1)
        out[id] = lower.find(lowerPrefix[level.back[id]!]!, level.first[id]!);
      }
    }
    prefixes.push(out);
  }
  return prefixes;
}

/**
 * Sums `values[id]` of the k-grams into their contexts: out[h] = Σ_{g: prefix(g) = h} values[g],
 * an array over the (k-1)-grams. With `values` = counts this is c(h ·); with ones it is N1+(h ·).
 */
export function sumIntoContexts(
  values: ArrayLike<number>,
  prefix: Int32Array,
  size: number,
  contextSize: number,
): Float64Array {
  const out = new Float64Array(contextSize);
  for (let id = 0; id < size; id++) out[prefix[id]!]! += values[id]!;
  return out;
}

/** cont[id] = N1+(· g): how many distinct words precede (k-1)-gram g, from the k-grams' back links. */
export function continuationCounts(upper: NgramLevel, lowerSize: number): Int32Array {
  const out = new Int32Array(lowerSize);
  for (let id = 0; id < upper.size; id++) out[upper.back[id]!]!++;
  return out;
}
