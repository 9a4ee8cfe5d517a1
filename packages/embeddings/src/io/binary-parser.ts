import { VectorFileError } from '../errors.js';
import type { KeyedVectors } from '../keyed-vectors.js';
import { MatrixBuilder } from './matrix-builder.js';
import type { IncrementalParser, ParserOptions } from './text-parser.js';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAX_WORD_BYTES = 4096;

/**
 * word2vec's binary format: an ASCII `count dim\n` header, then per vector the word's UTF-8 bytes,
 * a space, dim little-endian float32s and (in the original tool's output) a newline. The vectors
 * are copied straight into a matrix preallocated from the header.
 */
export function word2vecBinaryParser({
  source = '<input>',
  duplicates,
}: ParserOptions = {}): IncrementalParser {
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
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const fail = (reason: string, at = offset): never => {
    throw new VectorFileError(reason, source, undefined, at);
  };

  const startVector = (): void => {
    const dim = builder!.dim!;
    try {
      word = decoder.decode(Uint8Array.from(token));
    } catch {
      fail(`word of vector ${records} is not valid UTF-8`, recordStart);
    }
    if (word === '') fail(`vector ${records} has an empty word`, recordStart);
    row = builder!.begin(word, { byteOffset: recordStart, record: 'vector' });
    vectorBytes = new Uint8Array(dim * 4);
    filled = 0;
    state = 'vector';
  };

  const finishVector = (): void => {
    if (row >= 0) {
      const m = builder!.matrix;
      const dim = builder!.dim!;
      if (LITTLE_ENDIAN_HOST) m.set(new Float32Array(vectorBytes!.buffer), row);
      else {
        const view = new DataView(vectorBytes!.buffer);
        for (let d = 0; d < dim; d++) m[row + d] = view.getFloat32(d * 4, true);
      }
    }
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
          const parts = text.split(/\s+/).map(Number);
          if (
            parts.length !== 2 ||
            !parts.every((n) => Number.isInteger(n)) ||
            parts[0]! < 0 ||
            parts[1]! < 1
          ) {
            fail(`expected a "count dim" header, found ${JSON.stringify(text)}`, 0);
          }
          count = parts[0]!;
          builder = new MatrixBuilder(source, {
            capacity: count,
            dim: parts[1]!,
            ...(duplicates && { duplicates }),
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
