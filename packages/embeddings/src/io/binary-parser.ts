import { VectorFileError } from '../errors.js';
import type { KeyedVectors } from '../keyed-vectors.js';
import { MAX_DIM, MatrixBuilder } from './matrix-builder.js';
import { FORMAT_NAMES, type IncrementalParser, type ParserOptions, parseHeader } from './text-parser.js';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAX_WORD_BYTES = 4096;

/**
 * word2vec's binary format: an ASCII `count dim\n` header, then per vector the word's UTF-8 bytes,
 * a space, dim little-endian float32s and (in the original tool's output) a newline. The vectors
 * are copied straight into a matrix preallocated from the header (once the header's count is checked
 * against the input's length, when known). Words are strict UTF-8 without whitespace; values must be
 * finite (a NaN or Inf is an error naming its byte offset).
 */
export function word2vecBinaryParser({
  source = '<input>',
  duplicates,
  byteLength,
  replaceInvalidUtf8 = false,
}: ParserOptions = {}): IncrementalParser {
  const name = FORMAT_NAMES['word2vec-binary'];
  // "w " + dim float32s: the newline after a vector is optional.
  const minRowBytes = (dim: number) => 2 + 4 * dim;
  let state: 'header' | 'word' | 'vector' = 'header';
  let offset = 0; // bytes consumed so far
  let token: number[] = [];
  let builder: MatrixBuilder | null = null;
  let count = 0;
  let records = 0; // vectors read, duplicates included
  let row = -1; // offset of the current row in the matrix (-1: a skipped duplicate)
  let word = '';
  let recordStart = 0;
  let vectorBytes: Uint8Array | null = null;
  let filled = 0;
  const decoder = new TextDecoder('utf-8', { fatal: !replaceInvalidUtf8 });
  const fail = (reason: string, at = offset): never => {
    throw new VectorFileError(name, reason, { source, byteOffset: at });
  };

  const startVector = (): void => {
    const dim = builder!.dim!;
    try {
      word = decoder.decode(Uint8Array.from(token));
    } catch {
      fail(`word of vector ${records} is not valid UTF-8`, recordStart);
    }
    if (word === '') fail(`vector ${records} has an empty word`, recordStart);
    if (/\s/.test(word))
      fail(
        `the word of vector ${records} contains whitespace: ${JSON.stringify(word.slice(0, 40))}`,
        recordStart,
      );
    row = builder!.begin(word, { byteOffset: recordStart, record: 'vector' });
    vectorBytes = new Uint8Array(dim * 4);
    filled = 0;
    state = 'vector';
  };

  const finishVector = (): void => {
    const dim = builder!.dim!;
    const values = LITTLE_ENDIAN_HOST ? new Float32Array(vectorBytes!.buffer) : new Float32Array(dim);
    if (!LITTLE_ENDIAN_HOST) {
      const view = new DataView(vectorBytes!.buffer);
      for (let d = 0; d < dim; d++) values[d] = view.getFloat32(d * 4, true);
    }
    for (let d = 0; d < dim; d++) {
      if (!Number.isFinite(values[d]!)) {
        fail(
          `value ${d + 1} of '${word}' is ${values[d]}; vector files must hold finite numbers`,
          offset - 4 * (dim - d),
        );
      }
    }
    if (row >= 0) builder!.matrix.set(values, row);
    token = [];
    state = 'word';
  };

  return {
    push(chunk: Uint8Array): void {
      let i = 0;
      while (i < chunk.length) {
        if (state === 'vector') {
          const take = Math.min(vectorBytes!.length - filled, chunk.length - i);
          vectorBytes!.set(chunk.subarray(i, i + take), filled);
          filled += take;
          i += take;
          offset += take;
          if (filled === vectorBytes!.length) finishVector();
          continue;
        }
        const b = chunk[i]!;
        i += 1;
        offset += 1;
        if (state === 'header') {
          if (b !== 0x0a) {
            if (token.length > 64)
              fail('no "count dim" header line in the first 64 bytes (not a word2vec binary file?)');
            token.push(b);
            continue;
          }
          const text = String.fromCharCode(...token).trim();
          const header = parseHeader(text);
          if (header === undefined) {
            fail(`expected a "count dim" header (dim at most ${MAX_DIM}), found ${JSON.stringify(text)}`, 0);
          }
          count = header!.count;
          if (byteLength !== undefined && count * minRowBytes(header!.dim) > byteLength - offset) {
            const need = count * minRowBytes(header!.dim);
            fail(
              `truncated: the header declares ${count} vectors of dimension ${header!.dim} (at least ${need} bytes), ` +
                `but only ${byteLength - offset} bytes follow it`,
              byteLength,
            );
          }
          builder = new MatrixBuilder(name, source, {
            maxRows: count,
            dim: header!.dim,
            ...(byteLength !== undefined && { byteLength }),
            ...(duplicates && { duplicates }),
            minRowBytes,
          });
          token = [];
          state = 'word';
          continue;
        }
        // state === 'word'
        if (token.length === 0 && (b === 0x0a || b === 0x0d)) continue; // the newline after a vector
        if (b === 0x20) {
          if (records >= count) fail(`more vectors than the header's count ${count}`, recordStart);
          records += 1;
          startVector();
          continue;
        }
        if (token.length === 0) recordStart = offset - 1;
        if (token.length >= MAX_WORD_BYTES)
          fail(`no space after a word within ${MAX_WORD_BYTES} bytes`, recordStart);
        token.push(b);
      }
    },
    end(): KeyedVectors {
      if (builder === null) return fail('truncated: no complete "count dim" header line');
      if (state === 'vector') {
        fail(
          `truncated in the vector of '${word}' (vector ${records} of ${count}: ${filled} of ${vectorBytes!.length} bytes)`,
        );
      }
      if (token.length > 0) {
        fail(
          records === count
            ? `unexpected bytes after the last of the header's ${count} vectors`
            : `truncated after the word starting at byte ${recordStart}`,
          recordStart,
        );
      }
      if (records !== count) fail(`truncated: the header says ${count} vectors but ${records} were found`);
      return builder.finish();
    },
  };
}
