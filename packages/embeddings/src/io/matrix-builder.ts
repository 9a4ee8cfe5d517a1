import { VectorFileError } from '../errors.js';
import { KeyedVectors } from '../keyed-vectors.js';

export type DuplicatePolicy = 'error' | 'keep-first';

/**
 * Collects rows into one Float32Array. When the row count is known (a word2vec header, or a line
 * count taken before reading) the matrix is allocated once; otherwise it grows by doubling.
 */
export class MatrixBuilder {
  readonly source: string;
  dim: number | null = null;
  rows = 0;
  #capacity: number | null;
  #matrix = new Float32Array(0);
  readonly #words: string[] = [];
  readonly #seen = new Map<string, number>();
  readonly #duplicates: DuplicatePolicy;

  constructor(
    source: string,
    {
      capacity,
      dim,
      duplicates = 'error',
    }: { capacity?: number; dim?: number; duplicates?: DuplicatePolicy },
  ) {
    this.source = source;
    this.#capacity = capacity ?? null;
    this.#duplicates = duplicates;
    if (dim !== undefined) this.setDim(dim);
  }

  setDim(dim: number): void {
    this.dim = dim;
    this.#matrix = new Float32Array((this.#capacity ?? 1024) * dim);
  }

  /**
   * Reserves the next row for `word` and returns its offset in `matrix`, or -1 when the word is a
   * duplicate to skip. `where` names the line (text) or record (binary) in errors.
   */
  begin(word: string, where: { line?: number; byteOffset?: number; record?: string }): number {
    const dim = this.dim!;
    const first = this.#seen.get(word);
    if (first !== undefined) {
      if (this.#duplicates === 'keep-first') return -1;
      throw new VectorFileError(
        `'${word}' appears twice (first as ${where.record ?? 'line'} ${first}); pass duplicates: 'keep-first' to keep the first`,
        this.source,
        where.line,
        where.byteOffset,
      );
    }
    if ((this.rows + 1) * dim > this.#matrix.length) {
      if (this.#capacity !== null) {
        throw new VectorFileError(
          `more vectors than the ${this.#capacity} expected`,
          this.source,
          where.line,
          where.byteOffset,
        );
      }
      const grown = new Float32Array(Math.max(this.#matrix.length * 2, dim * 1024));
      grown.set(this.#matrix);
      this.#matrix = grown;
    }
    this.#seen.set(word, where.line ?? this.rows + 1);
    this.#words.push(word);
    this.rows += 1;
    return (this.rows - 1) * dim;
  }

  get matrix(): Float32Array {
    return this.#matrix;
  }

  finish(): KeyedVectors {
    if (this.dim === null) throw new VectorFileError('no vectors found', this.source);
    return new KeyedVectors(this.#words, this.#matrix.subarray(0, this.rows * this.dim), this.dim);
  }
}
