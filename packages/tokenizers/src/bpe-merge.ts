/**
 * The BPE merge loop for one piece: start from one part per byte, repeatedly merge the adjacent pair with
 * the lowest rank (leftmost on ties) until no pair merges. Both tiktoken and HF tokenizers break ties
 * leftmost, so this reproduces either.
 *
 * Two rule sets share the loop:
 * - 'ranks' (tiktoken): any two adjacent parts merge if their concatenated bytes are a token; the rank is
 *   that token's id.
 * - 'merges' (HF tokenizer.json, Strand training): only listed pairs merge; the rank is the pair's index
 *   in the merge list and the result is a given id.
 *
 * Short pieces (almost all of them) use arrays and a linear scan; long ones (a run of 10,000 spaces) use a
 * heap over a linked list, so the cost stays O(n log n).
 */

/** Packs a merge's rank and result id into one number that orders by rank. */
export const ID_LIMIT = 2 ** 21;

export interface MergeRules {
  readonly mode: 'ranks' | 'merges';
  /** Id of each single byte (all 256 present). */
  readonly byteIds: Int32Array;
  /** 'ranks': byte string -> id (= rank). */
  readonly ids: ReadonlyMap<string, number>;
  /** 'merges': leftId * ID_LIMIT + rightId -> rank * ID_LIMIT + resultId. */
  readonly pairs: ReadonlyMap<number, number>;
}

/** Pieces up to this many bytes use the linear loop (its scratch arrays are shared: it is not re-entrant). */
export const LINEAR_MAX = 128;
const starts = new Int32Array(LINEAR_MAX + 1);
const partIds = new Int32Array(LINEAR_MAX + 1);
const ranks = new Float64Array(LINEAR_MAX + 1);

/** Appends the ids of `bytes` (a byte string of length >= 1) to `out`. */
export function bpeMerge(bytes: string, rules: MergeRules, out: number[]): void {
  if (bytes.length > LINEAR_MAX) heapMerge(bytes, rules, out);
  else linearMerge(bytes, rules, out);
}

/** The merge loop over arrays, for pieces of at most LINEAR_MAX bytes. */
export function linearMerge(bytes: string, rules: MergeRules, out: number[]): void {
  const n = bytes.length;
  for (let k = 0; k < n; k++) {
    starts[k] = k;
    partIds[k] = rules.byteIds[bytes.charCodeAt(k)]!;
  }
  starts[n] = n;
  let m = n;
  for (let k = 0; k < m - 1; k++)
    ranks[k] = pairRank(bytes, rules, starts[k]!, starts[k + 2]!, partIds[k]!, partIds[k + 1]!);

  while (m > 1) {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let k = 0; k < m - 1; k++) {
      if (ranks[k]! < best) {
        best = ranks[k]!;
        at = k;
      }
    }
    if (at < 0) break;
    partIds[at] = best % ID_LIMIT;
    // Remove part at + 1.
    for (let k = at + 1; k < m; k++) {
      starts[k] = starts[k + 1]!;
      partIds[k] = partIds[k + 1]!;
      ranks[k] = ranks[k + 1]!;
    }
    m--;
    if (at < m - 1) {
      ranks[at] = pairRank(bytes, rules, starts[at]!, starts[at + 2]!, partIds[at]!, partIds[at + 1]!);
    }
    if (at > 0) {
      ranks[at - 1] = pairRank(
        bytes,
        rules,
        starts[at - 1]!,
        starts[at + 1]!,
        partIds[at - 1]!,
        partIds[at]!,
      );
    }
  }
  for (let k = 0; k < m; k++) out.push(partIds[k]!);
}

/** Packed rank of merging parts [a, mid) and [mid, b); +Infinity when they do not merge. */
function pairRank(
  bytes: string,
  rules: MergeRules,
  a: number,
  b: number,
  left: number,
  right: number,
): number {
  const packed =
    rules.mode === 'ranks' ? rules.ids.get(bytes.slice(a, b)) : rules.pairs.get(left * ID_LIMIT + right);
  return packed === undefined ? Number.POSITIVE_INFINITY : packed;
}

/** Same result as the linear loop, with a binary heap keyed by (rank, start byte). */
export function heapMerge(bytes: string, rules: MergeRules, out: number[]): void {
  const n = bytes.length;
  const next = new Int32Array(n + 1); // next part's start byte; n = none
  const prev = new Int32Array(n); // previous part's start byte; -1 = none
  const ids = new Int32Array(n);
  const rankAt = new Float64Array(n); // current rank of the pair starting at this part
  const alive = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    next[k] = k + 1;
    prev[k] = k - 1;
    ids[k] = rules.byteIds[bytes.charCodeAt(k)]!;
    alive[k] = 1;
  }
  const heap = new MinHeap();
  const update = (k: number) => {
    const j = next[k]!;
    rankAt[k] = j >= n ? Number.POSITIVE_INFINITY : pairRank(bytes, rules, k, next[j]!, ids[k]!, ids[j]!);
    if (rankAt[k]! < Number.POSITIVE_INFINITY) heap.push(rankAt[k]!, k);
  };
  for (let k = 0; k < n - 1; k++) update(k);

  while (heap.size > 0) {
    const rank = heap.topRank();
    const k = heap.pop();
    if (!alive[k] || rankAt[k] !== rank) continue; // stale entry
    const j = next[k]!;
    ids[k] = rank % ID_LIMIT;
    alive[j] = 0;
    next[k] = next[j]!;
    if (next[j]! < n) prev[next[j]!] = k;
    update(k);
    if (prev[k]! >= 0) update(prev[k]!);
  }
  for (let k = 0; k < n; k = next[k]!) out.push(ids[k]!);
}

/** Binary min-heap of (rank, position) pairs, ordered by rank then position. */
class MinHeap {
  private ranks: number[] = [];
  private positions: number[] = [];

  get size(): number {
    return this.ranks.length;
  }

  topRank(): number {
    return this.ranks[0]!;
  }

  push(rank: number, position: number): void {
    const { ranks, positions } = this;
    let i = ranks.length;
    ranks.push(rank);
    positions.push(position);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): number {
    const { ranks, positions } = this;
    const top = positions[0]!;
    const lastRank = ranks.pop()!;
    const lastPosition = positions.pop()!;
    if (ranks.length > 0) {
      ranks[0] = lastRank;
      positions[0] = lastPosition;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < ranks.length && this.less(l, smallest)) smallest = l;
        if (r < ranks.length && this.less(r, smallest)) smallest = r;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ra = this.ranks[a]!;
    const rb = this.ranks[b]!;
    return ra < rb || (ra === rb && this.positions[a]! < this.positions[b]!);
  }

  private swap(a: number, b: number): void {
    const { ranks, positions } = this;
    [ranks[a], ranks[b]] = [ranks[b]!, ranks[a]!];
    [positions[a], positions[b]] = [positions[b]!, positions[a]!];
  }
}
