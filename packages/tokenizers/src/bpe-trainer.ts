/**
 * Byte-level BPE training: count pieces, then repeatedly merge the most frequent adjacent pair.
 *
 * Pair counts are updated incrementally: a merge only revisits the words that contain the pair (an index
 * from pair to words), and a max-heap with lazy deletion finds the next best pair. Cost per merge is
 * proportional to the words it touches, not to the corpus.
 *
 * Tie-breaking (deterministic): highest count first; among equal counts, the pair with the smaller left
 * symbol, then the smaller right symbol. Symbols 0-255 are the bytes in byte order; merged symbols are
 * numbered 256, 257, ... in the order they were created.
 */
import { ID_LIMIT } from './bpe-merge.js';

export interface TrainedMerges {
  /** [left, right] symbols of each merge; merge i creates symbol 256 + i. */
  readonly merges: readonly (readonly [number, number])[];
  /** Byte string of each symbol (0-255 single bytes, then merged symbols). */
  readonly symbols: readonly string[];
}

/**
 * @param pieceCounts byte string of each distinct piece -> how often it occurs
 * @param maxMerges stop after this many merges
 * @param minFrequency stop when the best pair occurs fewer times
 */
export function trainMerges(
  pieceCounts: ReadonlyMap<string, number>,
  maxMerges: number,
  minFrequency: number,
): TrainedMerges {
  const symbols: string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [bytes, count] of pieceCounts) {
    if (bytes.length < 2) continue;
    words.push(Array.from(bytes, (c) => c.charCodeAt(0)));
    freqs.push(count);
  }
  const counts = new Map<number, number>();
  const where = new Map<number, number[]>();
  const heap = new PairHeap();
  const seen = new Int32Array(words.length).fill(-1);

  const index = (key: number, w: number) => {
    const list = where.get(key);
    if (list === undefined) where.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };
  words.forEach((word, w) => {
    for (let i = 0; i + 1 < word.length; i++) {
      const key = word[i]! * ID_LIMIT + word[i + 1]!;
      counts.set(key, (counts.get(key) ?? 0) + freqs[w]!);
      index(key, w);
    }
  });
  for (const [key, count] of counts) heap.push(count, key);

  const merges: [number, number][] = [];
  while (merges.length < maxMerges && heap.size > 0) {
    const { count, key } = heap.pop();
    if (counts.get(key) !== count) continue; // stale
    if (count < minFrequency) break;
    const a = Math.floor(key / ID_LIMIT);
    const b = key % ID_LIMIT;
    const c = symbols.length;
    symbols.push(symbols[a]! + symbols[b]!);
    merges.push([a, b]);

    const delta = new Map<number, number>();
    const add = (x: number, y: number, d: number) => {
      const k = x * ID_LIMIT + y;
      delta.set(k, (delta.get(k) ?? 0) + d);
    };
    for (const w of where.get(key) ?? []) {
      if (seen[w] === c) continue;
      seen[w] = c;
      const word = words[w]!;
      const f = freqs[w]!;
      const merged: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
          merged.push(c);
          i++;
        } else merged.push(word[i]!);
      }
      if (merged.length === word.length) continue; // the pair is gone from this word
      for (let i = 0; i + 1 < word.length; i++) add(word[i]!, word[i + 1]!, -f);
      for (let i = 0; i + 1 < merged.length; i++) {
        add(merged[i]!, merged[i + 1]!, f);
        if (merged[i] === c || merged[i + 1] === c) index(merged[i]! * ID_LIMIT + merged[i + 1]!, w);
      }
      words[w] = merged;
    }
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const next = (counts.get(k) ?? 0) + d;
      if (next > 0) {
        counts.set(k, next);
        heap.push(next, k);
      } else counts.delete(k);
    }
    where.delete(key);
  }
  return { merges, symbols };
}

/** Max-heap of (count, pair key): larger count first, then smaller key (smaller left, then right symbol). */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { count: number; key: number } {
    const top = { count: this.counts[0]!, key: this.keys[0]! };
    const count = this.counts.pop()!;
    const key = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = count;
      this.keys[0] = key;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.counts.length && this.before(l, best)) best = l;
        if (r < this.counts.length && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }

  private before(i: number, j: number): boolean {
    const ci = this.counts[i]!;
    const cj = this.counts[j]!;
    return ci > cj || (ci === cj && this.keys[i]! < this.keys[j]!);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
  }
}
