import type { KeyedVectors } from '../keyed-vectors.js';
import { word2vecBinaryParser } from './binary-parser.js';
import { checkFormat, type VectorFormat, vectorChunks } from './format.js';
import { type IncrementalParser, type ParserOptions, textVectorParser } from './text-parser.js';

export interface ReadVectorsOptions extends ParserOptions {
  readonly format: VectorFormat;
}

/** Counts newline bytes: an upper bound on a GloVe file's rows, so its matrix is allocated once. */
export function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** An incremental parser for a format: push chunks, then `end()` for the KeyedVectors. */
export function vectorParser(options: ReadVectorsOptions & { capacity?: number }): IncrementalParser {
  const { format, ...rest } = options;
  switch (checkFormat(format)) {
    case 'glove':
      return textVectorParser('glove', rest);
    case 'word2vec':
      return textVectorParser('word2vec', rest);
    case 'word2vec-binary':
      return word2vecBinaryParser(rest);
  }
}

/**
 * Parses GloVe text, word2vec text or word2vec binary vectors from memory (browser-safe).
 * Untrusted input: only StrandErrors leave it. Format problems are VectorFileErrors (base FormatErrors)
 * naming the format, the source and the line (text) or byte offset (binary); declared counts are
 * checked against the input's length before allocation; numbers are strict decimals that fit a float32.
 *
 * @example
 * const kv = parseVectors(await (await fetch('glove.6B.50d.txt')).text(), { format: 'glove', source: 'glove.6B.50d.txt' });
 */
export function parseVectors(
  input: string | Uint8Array | ArrayBuffer,
  options: ReadVectorsOptions,
): KeyedVectors {
  const bytes =
    typeof input === 'string'
      ? new TextEncoder().encode(input)
      : input instanceof Uint8Array
        ? input
        : new Uint8Array(input);
  const parser = vectorParser({
    byteLength: bytes.length,
    ...options,
    ...(options.format === 'glove' && { capacity: countLines(bytes) + 1 }),
  });
  parser.push(bytes);
  return parser.end();
}

/** Serialises vectors in a format: GloVe text, word2vec text (with a `count dim` header) or word2vec binary. */
export function formatVectors(kv: KeyedVectors, { format }: { format: VectorFormat }): Uint8Array {
  const encoder = new TextEncoder();
  const parts = [...vectorChunks(kv, checkFormat(format))].map((c) =>
    typeof c === 'string' ? encoder.encode(c) : c,
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
