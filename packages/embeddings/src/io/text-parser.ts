import { firstInvalidUtf8, parseDecimal } from '@strand/base';
import { VectorFileError } from '../errors.js';
import type { KeyedVectors } from '../keyed-vectors.js';
import { type DuplicatePolicy, MAX_DIM, MatrixBuilder } from './matrix-builder.js';

export interface ParserOptions {
  /** Named in errors: a file path, a URL, or '<input>'. */
  readonly source?: string;
  /** A word seen twice is an error (default) or keeps its first vector. */
  readonly duplicates?: DuplicatePolicy;
  /**
   * Total input bytes, when known (`parseVectors` and `readVectorsFile` pass it): declared counts are
   * checked against it before anything is allocated, and the matrix is allocated once.
   */
  readonly byteLength?: number;
  /** Replace invalid UTF-8 with U+FFFD instead of failing. Default false (a FormatError naming the line or byte). */
  readonly replaceInvalidUtf8?: boolean;
}

/** A parser fed chunk by chunk, so a large file never has to be in memory as a whole. */
export interface IncrementalParser {
  push(chunk: Uint8Array): void;
  end(): KeyedVectors;
}

const NEWLINE = 0x0a;
/** The `format` named by errors. */
export const FORMAT_NAMES = {
  glove: 'GloVe',
  word2vec: 'word2vec',
  'word2vec-binary': 'word2vec binary',
} as const;

/**
 * A `count dim` header, strictly: decimal digits only (`0x1F`, `1e3`, `-1` and `2.0` are not counts),
 * dim in [1, MAX_DIM]. Returns undefined when `text` is not one.
 */
export function parseHeader(text: string): { count: number; dim: number } | undefined {
  const m = /^(\d{1,15}) (\d{1,15})$/.exec(text.trim().replace(/\s+/g, ' '));
  if (!m) return undefined;
  const count = Number(m[1]);
  const dim = Number(m[2]);
  return dim >= 1 && dim <= MAX_DIM ? { count, dim } : undefined;
}

/** One value of a text vector: a strict decimal (no hex, NaN or Infinity) that fits in a float32. */
export function parseValue(field: string): number | undefined {
  const v = parseDecimal(field);
  if (v === undefined) return undefined;
  const f = Math.fround(v);
  return Number.isFinite(f) ? f : undefined;
}

/**
 * GloVe (`word v1 ... vd` per line) or word2vec text (a `count dim` header line first).
 * Lines are split on whitespace; a word cannot contain spaces. Blank lines are skipped.
 * @param capacity an upper bound on the number of rows (GloVe), so the matrix is allocated once
 */
export function textVectorParser(
  format: 'glove' | 'word2vec',
  {
    source = '<input>',
    duplicates,
    capacity,
    byteLength,
    replaceInvalidUtf8 = false,
  }: ParserOptions & { capacity?: number } = {},
): IncrementalParser {
  const name = FORMAT_NAMES[format];
  // "w v v ... v\n": a one-byte word and one-byte values with a separator each.
  const minRowBytes = (dim: number) => 2 * dim + 2;
  let builder: MatrixBuilder | null =
    format === 'glove'
      ? new MatrixBuilder(name, source, {
          ...(capacity !== undefined && { maxRows: capacity }),
          ...(byteLength !== undefined && { byteLength }),
          ...(duplicates && { duplicates }),
          minRowBytes,
        })
      : null;
  let expected: number | null = null; // from the word2vec header
  let line = 0;
  let offset = 0; // bytes before the current line
  let records = 0; // vector lines, duplicates included
  let pending: Uint8Array[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: !replaceInvalidUtf8 });
  const fail = (reason: string, cause?: unknown): never => {
    throw new VectorFileError(name, reason, { source, line }, cause === undefined ? undefined : { cause });
  };
  const handle = (bytes: Uint8Array): void => {
    line += 1;
    const start = offset;
    offset += bytes.length + 1;
    let text = '';
    try {
      text = decoder.decode(bytes);
    } catch (error) {
      throw new VectorFileError(
        name,
        'not valid UTF-8',
        { source, line, byteOffset: start + Math.max(0, firstInvalidUtf8(bytes)) },
        { cause: error },
      );
    }
    const trimmed = text.trim();
    if (trimmed === '') return;
    const fields = trimmed.split(/\s+/);
    if (builder === null) {
      // word2vec text header: "count dim"
      const header = parseHeader(trimmed);
      if (header === undefined) {
        fail(
          `expected a "count dim" header (dim at most ${MAX_DIM}), found ${JSON.stringify(trimmed.slice(0, 60))}`,
        );
      }
      const { count, dim } = header!;
      if (byteLength !== undefined && count * minRowBytes(dim) > byteLength + 1) {
        fail(
          `the header declares ${count} vectors of dimension ${dim} (at least ${count * minRowBytes(dim)} bytes), ` +
            `more than the whole input (${byteLength} bytes)`,
        );
      }
      expected = count;
      builder = new MatrixBuilder(name, source, {
        maxRows: count,
        dim,
        ...(byteLength !== undefined && { byteLength }),
        ...(duplicates && { duplicates }),
        minRowBytes,
      });
      return;
    }
    if (builder.dim === null) {
      if (fields.length < 2)
        fail(`expected a word and its values, found ${JSON.stringify(trimmed.slice(0, 60))}`);
      if (fields.length - 1 > MAX_DIM)
        fail(`a vector has ${fields.length - 1} values, more than the ${MAX_DIM} supported`);
      builder.setDim(fields.length - 1);
    }
    const dim = builder.dim!;
    if (fields.length !== dim + 1) {
      fail(
        `expected a word and ${dim} values (the dimension of the first vector), found ${fields.length - 1} values`,
      );
    }
    if (expected !== null && records >= expected) fail(`more vectors than the header's count ${expected}`);
    records += 1;
    const at = builder.begin(fields[0]!, { line });
    if (at < 0) return;
    const m = builder.matrix;
    for (let d = 0; d < dim; d++) {
      const field = fields[d + 1]!;
      const v = parseValue(field);
      if (v === undefined) {
        fail(
          `value ${d + 1} of '${fields[0]}' is not a finite float32 decimal: ${JSON.stringify(field.slice(0, 40))}`,
        );
      }
      m[at + d] = v!;
    }
  };
  return {
    push(chunk: Uint8Array): void {
      let start = 0;
      for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, i);
        if (pending.length > 0) {
          pending.push(piece);
          handle(concat(pending));
          pending = [];
        } else handle(piece);
        start = i + 1;
      }
      if (start < chunk.length) pending.push(chunk.slice(start));
    },
    end(): KeyedVectors {
      if (pending.length > 0) handle(concat(pending));
      pending = [];
      if (builder === null) {
        throw new VectorFileError(name, 'empty input: expected a "count dim" header', { source });
      }
      if (expected !== null && records !== expected) {
        fail(`the header says ${expected} vectors but ${records} were found`);
      }
      return builder.finish();
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
