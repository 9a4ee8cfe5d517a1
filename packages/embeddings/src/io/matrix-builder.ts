import { VectorFileError } from '../errors.js';
import { KeyedVectors } from '../keyed-vectors.js';

export type DuplicatePolicy = 'error' | 'keep-first';

/** Largest vector dimension accepted from a file (real embeddings have at most a few thousand). */
export const MAX_DIM = 65_536;
/** Numbers allocated up front when the input's size is unknown; the matrix then grows by doubling. */
const UNTRUSTED_START = 1 << 20;

export interface MatrixBuilderOptions {
  readonly dim?: number;
  readonly duplicates?: DuplicatePolicy;
  /** Most rows the input may hold (a header's count, or a line count); one more is an error. */
  readonly maxRows?: number;
  /** Total input bytes, when known: rows are then preallocated, at most byteLength / minRowBytes(dim). */
  readonly byteLength?: number;
  /** Fewest bytes one row takes in the format (so a hostile header cannot make us allocate more). */
  readonly minRowBytes: (dim: number) => number;
}

/**
 * Collects rows into one Float32Array. Declared sizes are never trusted for allocation beyond what the
 * input's length allows: with `byteLength` known the matrix is allocated once (at most the rows that fit
 * in the input); otherwise it starts small and grows by doubling as rows actually arrive.
 */
export class MatrixBuilder {
  readonly format: string;
  readonly source: string;
  dim: number | null = null;
  rows = 0;
  readonly #options: MatrixBuilderOptions;
  #matrix = new Float32Array(0);
  readonly #words: string[] = [];
  readonly #seen = new Map<string, number>();

  constructor(format: string, source: string, options: MatrixBuilderOptions) {
    this.format = format;
    this.source = source;
    this.#options = options;
    if (options.dim !== undefined) this.setDim(options.dim);
  }

  setDim(dim: number): void {
    this.dim = dim;
    const { maxRows = Number.POSITIVE_INFINITY, byteLength, minRowBytes } = this.#options;
    const fit =
      byteLength === undefined
        ? Math.max(1, Math.floor(UNTRUSTED_START / dim))
        : Math.floor(byteLength / minRowBytes(dim)) + 1;
    this.#matrix = new Float32Array(Math.min(maxRows, fit) * dim);
  }

  /**
   * Reserves the next row for `word` and returns its offset in `matrix`, or -1 when the word is a
   * duplicate to skip. `where` names the line (text) or record (binary) in errors.
   */
  begin(word: string, where: { line?: number; byteOffset?: number; record?: string }): number {
    const dim = this.dim!;
    const location = { source: this.source, line: where.line, byteOffset: where.byteOffset };
    const first = this.#seen.get(word);
    if (first !== undefined) {
      if (this.#options.duplicates === 'keep-first') return -1;
      throw new VectorFileError(
        this.format,
        `'${word}' appears twice (first as ${where.record ?? 'line'} ${first}); pass duplicates: 'keep-first' to keep the first`,
        location,
      );
    }
    const maxRows = this.#options.maxRows ?? Number.POSITIVE_INFINITY;
    if (this.rows + 1 > maxRows) {
      throw new VectorFileError(this.format, `more vectors than the ${maxRows} expected`, location);
    }
    if ((this.rows + 1) * dim > this.#matrix.length) {
      const rows = Math.min(maxRows, Math.max(2 * (this.#matrix.length / dim), 1024));
      const grown = new Float32Array(rows * dim);
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
    if (this.dim === null)
      throw new VectorFileError(this.format, 'no vectors found', { source: this.source });
    const used = this.rows * this.dim;
    // Keep the buffer when it is mostly used; copy when an upper bound over-allocated it.
    const vectors =
      used >= 0.75 * this.#matrix.length ? this.#matrix.subarray(0, used) : this.#matrix.slice(0, used);
    return new KeyedVectors(this.#words, vectors, this.dim);
  }
}
