import { ConfigError, VocabularyError } from '@strand/base';

export interface Neighbour {
  readonly word: string;
  /** Cosine similarity to the query. */
  readonly similarity: number;
}

export interface MostSimilarOptions {
  /** Words never returned (the query word itself is excluded already). */
  readonly exclude?: Iterable<string>;
}

/**
 * Word vectors in one row-major Float32Array [count, dim], with each row's norm precomputed,
 * for cosine similarity, nearest neighbours and analogies (gensim's KeyedVectors, in TypeScript).
 *
 * @example
 * const kv = new KeyedVectors(['king', 'queen'], Float32Array.of(1, 0, 0.9, 0.1), 2);
 * kv.similarity('king', 'queen'); // 0.9939
 */
export class KeyedVectors {
  readonly words: readonly string[];
  /** [count, dim], row-major. */
  readonly vectors: Float32Array;
  readonly dim: number;
  /** Euclidean norm of each row. */
  readonly norms: Float32Array;
  readonly #index: Map<string, number>;

  constructor(words: readonly string[], vectors: Float32Array, dim: number) {
    if (!Number.isInteger(dim) || dim < 1)
      throw new ConfigError(`dim must be a positive integer, received ${dim}`, 'dim');
    if (vectors.length !== words.length * dim) {
      throw new ConfigError(
        `vectors hold ${vectors.length} numbers; ${words.length} words × dim ${dim} need ${words.length * dim}`,
        'vectors',
      );
    }
    this.words = words;
    this.vectors = vectors;
    this.dim = dim;
    this.#index = new Map();
    words.forEach((w, i) => {
      if (this.#index.has(w))
        throw new ConfigError(`words: '${w}' appears twice (rows ${this.#index.get(w)} and ${i})`, 'words');
      this.#index.set(w, i);
    });
    this.norms = new Float32Array(words.length);
    for (let i = 0; i < words.length; i++) {
      let s = 0;
      for (let j = i * dim; j < (i + 1) * dim; j++) s += vectors[j]! * vectors[j]!;
      this.norms[i] = Math.sqrt(s);
    }
  }

  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.#index.has(word);
  }

  /** The row of a word, or undefined. */
  indexOf(word: string): number | undefined {
    return this.#index.get(word);
  }

  #row(word: string): number {
    const i = this.#index.get(word);
    if (i === undefined)
      throw new VocabularyError(
        word,
        -1,
        `these vectors have ${this.size} words; check with has(word) first`,
      );
    return i;
  }

  /** A copy of a word's vector. */
  vector(word: string): Float32Array {
    const i = this.#row(word);
    return this.vectors.slice(i * this.dim, (i + 1) * this.dim);
  }

  /** Cosine similarity of two words (0 when either vector is zero). */
  similarity(a: string, b: string): number {
    const i = this.#row(a);
    const j = this.#row(b);
    let dot = 0;
    for (let d = 0; d < this.dim; d++)
      dot += this.vectors[i * this.dim + d]! * this.vectors[j * this.dim + d]!;
    const n = this.norms[i]! * this.norms[j]!;
    return n === 0 ? 0 : dot / n;
  }

  /**
   * The k words most similar (by cosine) to a word or a vector, best first.
   * A query word is excluded from its own neighbours.
   */
  mostSimilar(
    query: string | ArrayLike<number>,
    k = 10,
    { exclude = [] }: MostSimilarOptions = {},
  ): Neighbour[] {
    const skip = new Set<number>();
    for (const w of exclude) {
      const i = this.#index.get(w);
      if (i !== undefined) skip.add(i);
    }
    let q: ArrayLike<number>;
    if (typeof query === 'string') {
      const i = this.#row(query);
      skip.add(i);
      q = this.vectors.subarray(i * this.dim, (i + 1) * this.dim);
    } else {
      if (query.length !== this.dim) {
        throw new ConfigError(`query vector has ${query.length} values; expected dim ${this.dim}`, 'query');
      }
      q = query;
    }
    return this.#nearest(q, k, skip);
  }

  /**
   * Solves a : b :: c : ? by 3CosAdd (Mikolov et al. 2013), as gensim's
   * most_similar(positive=[b, c], negative=[a]): the words nearest to unit(b) − unit(a) + unit(c),
   * excluding a, b and c. analogy('man', 'king', 'woman') → queen.
   */
  analogy(a: string, b: string, c: string, k = 1, { exclude = [] }: MostSimilarOptions = {}): Neighbour[] {
    const target = new Float32Array(this.dim);
    for (const [word, sign] of [
      [a, -1],
      [b, 1],
      [c, 1],
    ] as const) {
      const i = this.#row(word);
      const n = this.norms[i]! || 1;
      for (let d = 0; d < this.dim; d++) target[d]! += (sign * this.vectors[i * this.dim + d]!) / n;
    }
    const skip = new Set([this.#row(a), this.#row(b), this.#row(c)]);
    for (const w of exclude) {
      const i = this.#index.get(w);
      if (i !== undefined) skip.add(i);
    }
    return this.#nearest(target, k, skip);
  }

  /** Top-k by cosine with a size-k min-heap: O(count · dim + count · log k). */
  #nearest(q: ArrayLike<number>, k: number, skip: ReadonlySet<number>): Neighbour[] {
    if (!Number.isInteger(k) || k < 1)
      throw new ConfigError(`k must be a positive integer, received ${k}`, 'k');
    let qn = 0;
    for (let d = 0; d < this.dim; d++) qn += q[d]! * q[d]!;
    qn = Math.sqrt(qn) || 1;
    const heapScore: number[] = [];
    const heapRow: number[] = [];
    const swap = (x: number, y: number) => {
      [heapScore[x], heapScore[y]] = [heapScore[y]!, heapScore[x]!];
      [heapRow[x], heapRow[y]] = [heapRow[y]!, heapRow[x]!];
    };
    const { dim, vectors, norms } = this;
    for (let i = 0; i < this.size; i++) {
      if (skip.has(i)) continue;
      let dot = 0;
      const base = i * dim;
      for (let d = 0; d < dim; d++) dot += q[d]! * vectors[base + d]!;
      const score = norms[i]! === 0 ? 0 : dot / (qn * norms[i]!);
      if (heapScore.length < k) {
        heapScore.push(score);
        heapRow.push(i);
        for (let c = heapScore.length - 1; c > 0; ) {
          const parent = (c - 1) >> 1;
          if (heapScore[parent]! <= heapScore[c]!) break;
          swap(parent, c);
          c = parent;
        }
      } else if (score > heapScore[0]!) {
        heapScore[0] = score;
        heapRow[0] = i;
        for (let c = 0; ; ) {
          const l = 2 * c + 1;
          const r = l + 1;
          let m = c;
          if (l < k && heapScore[l]! < heapScore[m]!) m = l;
          if (r < k && heapScore[r]! < heapScore[m]!) m = r;
          if (m === c) break;
          swap(m, c);
          c = m;
        }
      }
    }
    return heapRow
      .map((row, i) => ({ word: this.words[row]!, similarity: heapScore[i]!, row }))
      .sort((x, y) => y.similarity - x.similarity || x.row - y.row)
      .map(({ word, similarity }) => ({ word, similarity }));
  }
}
