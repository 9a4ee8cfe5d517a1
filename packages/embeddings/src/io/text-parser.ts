import { VectorFileError } from '../errors.js';
import type { KeyedVectors } from '../keyed-vectors.js';
import { type DuplicatePolicy, MatrixBuilder } from './matrix-builder.js';

export interface ParserOptions {
  /** Named in errors: a file path, a URL, or '<input>'. */
  readonly source?: string;
  /** A word seen twice is an error (default) or keeps its first vector. */
  readonly duplicates?: DuplicatePolicy;
}

/** A parser fed chunk by chunk, so a large file never has to be in memory as a whole. */
export interface IncrementalParser {
  push(chunk: Uint8Array): void;
  end(): KeyedVectors;
}

const NEWLINE = 0x0a;

/**
 * GloVe (`word v1 ... vd` per line) or word2vec text (a `count dim` header line first).
 * Lines are split on whitespace; a word cannot contain spaces. Blank lines are skipped.
 * @param capacity an upper bound on the number of rows (GloVe), so the matrix is allocated once
 */
export function textVectorParser(
  format: 'glove' | 'word2vec',
  { source = '<input>', duplicates, capacity }: ParserOptions & { capacity?: number } = {},
): IncrementalParser {
  let builder: MatrixBuilder | null =
    format === 'glove'
      ? new MatrixBuilder(source, {
          ...(capacity !== undefined && { capacity }),
          ...(duplicates && { duplicates }),
        })
      : null;
  let expected: number | null = null; // from the word2vec header
  let line = 0;
  let records = 0; // vector lines, duplicates included
  let pending: Uint8Array[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const fail = (reason: string): never => {
    throw new VectorFileError(reason, source, line);
  };

  const handle = (bytes: Uint8Array): void => {
    line += 1;
    let text = '';
    try {
      text = decoder.decode(bytes);
    } catch {
      fail('not valid UTF-8');
    }
    const trimmed = text.trim();
    if (trimmed === '') return;
    const fields = trimmed.split(/\s+/);
    if (builder === null) {
      // word2vec text header: "count dim"
      const [count, dim] = fields.map(Number);
      if (
        fields.length !== 2 ||
        !Number.isInteger(count) ||
        !Number.isInteger(dim) ||
        count! < 0 ||
        dim! < 1
      ) {
        fail(`expected a "count dim" header, found ${JSON.stringify(trimmed.slice(0, 60))}`);
      }
      expected = count!;
      builder = new MatrixBuilder(source, { capacity: count!, dim: dim!, ...(duplicates && { duplicates }) });
      return;
    }
    if (builder.dim === null) {
      if (fields.length < 2)
        fail(`expected a word and its values, found ${JSON.stringify(trimmed.slice(0, 60))}`);
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
      const v = Number(field);
      if (Number.isNaN(v) && field !== 'NaN')
        fail(`value ${d + 1} of '${fields[0]}' is not a number: ${JSON.stringify(field)}`);
      m[at + d] = v;
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
      if (builder === null) throw new VectorFileError('empty input: expected a "count dim" header', source);
      if (expected !== null && records !== expected) {
        throw new VectorFileError(
          `the header says ${expected} vectors but ${records} were found`,
          source,
          line,
        );
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
