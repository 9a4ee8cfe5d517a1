import { describe, expect, it } from 'vitest';
import { VectorFileError } from '../errors.js';
import { KeyedVectors } from '../keyed-vectors.js';
import { formatFloat32 } from './format.js';
import { formatVectors, parseVectors, vectorParser } from './vectors.js';

const kv = new KeyedVectors(['the', 'über', 'x'], Float32Array.of(0.1, -2, 3.5e-8, 1, 0, -0.25), 2);

/** word2vec binary bytes built by hand: header, then `word ` + float32 LE values (+ newline). */
function binary(header: string, rows: [string, number[]][], newline = true): Uint8Array {
  const parts: number[] = [...new TextEncoder().encode(header)];
  for (const [word, values] of rows) {
    parts.push(...new TextEncoder().encode(`${word} `));
    const f = new Uint8Array(Float32Array.from(values).buffer);
    parts.push(...f);
    if (newline) parts.push(0x0a);
  }
  return Uint8Array.from(parts);
}

function errorOf(f: () => unknown): VectorFileError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(VectorFileError);
    return error as VectorFileError;
  }
  throw new Error('expected a VectorFileError');
}

describe('vector formats', () => {
  it('parses hand-written GloVe and word2vec text', () => {
    const glove = parseVectors('king 1 0.5 -2\nqueen 0.9 0.6 -1.5e0\r\n\nman 0 1 2 \n', { format: 'glove' });
    expect(glove.words).toEqual(['king', 'queen', 'man']);
    expect(glove.dim).toBe(3);
    expect(Array.from(glove.vectors)).toEqual([1, 0.5, -2, 0.9, 0.6, -1.5, 0, 1, 2].map(Math.fround));
    const w2v = parseVectors('2 2\na 1 2\nb 3 4', { format: 'word2vec' });
    expect(w2v.words).toEqual(['a', 'b']);
    expect(Array.from(w2v.vectors)).toEqual([1, 2, 3, 4]);
  });

  it('parses hand-built word2vec binary, with and without the newline after each vector', () => {
    for (const newline of [true, false]) {
      const bytes = binary(
        '2 3\n',
        [
          ['día', [1, -0.5, 2]],
          ['b', [0, 0.25, 3]],
        ],
        newline,
      );
      const out = parseVectors(bytes, { format: 'word2vec-binary' });
      expect(out.words).toEqual(['día', 'b']);
      expect(Array.from(out.vectors)).toEqual([1, -0.5, 2, 0, 0.25, 3]);
    }
  });

  it.each(['glove', 'word2vec', 'word2vec-binary'] as const)('round-trips %s exactly (float32)', (format) => {
    const bytes = formatVectors(kv, { format });
    const back = parseVectors(bytes, { format });
    expect(back.words).toEqual(kv.words);
    expect(back.vectors).toEqual(kv.vectors);
  });

  it('writes the text formats with the shortest float32 decimals', () => {
    expect(new TextDecoder().decode(formatVectors(kv, { format: 'word2vec' }))).toBe(
      '3 2\nthe 0.1 -2\nüber 3.5e-8 1\nx 0 -0.25\n',
    );
    expect(formatFloat32(Math.fround(1 / 3))).toBe('0.33333334');
    expect(Math.fround(Number(formatFloat32(Math.fround(Math.PI))))).toBe(Math.fround(Math.PI));
  });

  it.each(['glove', 'word2vec', 'word2vec-binary'] as const)(
    '%s gives the same result when fed 1 byte at a time',
    (format) => {
      const bytes = formatVectors(kv, { format });
      const parser = vectorParser({ format });
      for (let i = 0; i < bytes.length; i++) parser.push(bytes.subarray(i, i + 1));
      const back = parser.end();
      expect(back.words).toEqual(kv.words);
      expect(back.vectors).toEqual(kv.vectors);
    },
  );

  it('refuses words it cannot write', () => {
    const bad = new KeyedVectors(['two words'], Float32Array.of(1), 1);
    expect(() => formatVectors(bad, { format: 'glove' })).toThrow(/word 0 \("two words"\) cannot be written/);
  });

  describe('malformed input is an error naming the source and line (or byte)', () => {
    const src = { source: 'vecs.txt' } as const;
    it.each([
      [
        'glove',
        'a 1 2\nb 1 2 3\n',
        'GloVe vecs.txt:2: expected a word and 2 values (the dimension of the first vector), found 3 values',
      ],
      ['glove', 'a 1 2\nb 1 x\n', 'GloVe vecs.txt:2: value 2 of \'b\' is not a finite float32 decimal: "x"'],
      ['glove', 'a\n', 'GloVe vecs.txt:1: expected a word and its values, found "a"'],
      ['glove', '', 'GloVe vecs.txt: no vectors found'],
      [
        'glove',
        'a 1\na 2\n',
        "GloVe vecs.txt:2: 'a' appears twice (first as line 1); pass duplicates: 'keep-first' to keep the first",
      ],
      [
        'word2vec',
        '3 2\na 10 20\nb 30 40\n',
        'word2vec vecs.txt:3: the header says 3 vectors but 2 were found',
      ],
      [
        'word2vec',
        '3 2\na 1 2\nb 3 4\n',
        'word2vec vecs.txt:1: the header declares 3 vectors of dimension 2 (at least 18 bytes), more than the whole input (16 bytes)',
      ],
      ['word2vec', '1 2\na 1 2\nb 3 4\n', "word2vec vecs.txt:3: more vectors than the header's count 1"],
      [
        'word2vec',
        '1 2\na 1 2 3\n',
        'word2vec vecs.txt:2: expected a word and 2 values (the dimension of the first vector), found 3 values',
      ],
      [
        'word2vec',
        'a 1 2\n',
        'word2vec vecs.txt:1: expected a "count dim" header (dim at most 65536), found "a 1 2"',
      ],
    ] as const)('%s: %j', (format, text, message) => {
      expect(errorOf(() => parseVectors(text, { format, ...src })).message).toBe(message);
    });

    it('rejects invalid UTF-8 naming the line', () => {
      const bytes = Uint8Array.of(...new TextEncoder().encode('a 1\n'), 0xff, 0x20, 0x31, 0x0a);
      expect(errorOf(() => parseVectors(bytes, { format: 'glove', ...src })).message).toBe(
        'GloVe vecs.txt:2 byte 4: not valid UTF-8',
      );
    });

    it('keeps the first vector of a duplicate when asked', () => {
      const out = parseVectors('2 1\na 1\na 2\n', { format: 'word2vec', duplicates: 'keep-first' });
      expect(out.words).toEqual(['a']);
      expect(Array.from(out.vectors)).toEqual([1]);
    });

    it('reports every truncation of a binary file, naming the byte offset', () => {
      const bytes = binary('2 3\n', [
        ['alpha', [1, 2, 3]],
        ['beta', [4, 5, 6]],
      ]);
      // Cutting anywhere before the last vector's final byte must fail; the trailing newline is optional.
      for (let n = 0; n < bytes.length - 1; n++) {
        const e = errorOf(() =>
          parseVectors(bytes.subarray(0, n), { format: 'word2vec-binary', source: 'v.bin' }),
        );
        expect(e.message).toMatch(
          /^word2vec binary v\.bin byte \d+: (truncated|expected a "count dim" header)/,
        );
      }
      // Knowing the input's length, the header's count is checked before anything is allocated...
      const e = errorOf(() =>
        parseVectors(bytes.subarray(0, 30), { format: 'word2vec-binary', source: 'v.bin' }),
      );
      expect(e.message).toBe(
        'word2vec binary v.bin byte 30: truncated: the header declares 2 vectors of dimension 3 (at least 28 bytes), but only 26 bytes follow it',
      );
      // ...and streamed without a length, the reader finds where it ends.
      const streamed = vectorParser({ format: 'word2vec-binary', source: 'v.bin' });
      streamed.push(bytes.subarray(0, 30));
      expect(errorOf(() => streamed.end()).message).toBe(
        "word2vec binary v.bin byte 30: truncated in the vector of 'beta' (vector 2 of 2: 2 of 12 bytes)",
      );
    });

    it('rejects binary files with more vectors than the header, garbage after them, or no header', () => {
      const two = binary('1 1\n', [
        ['a', [1]],
        ['b', [2]],
      ]);
      expect(errorOf(() => parseVectors(two, { format: 'word2vec-binary' })).message).toBe(
        "word2vec binary <input> byte 11: more vectors than the header's count 1",
      );
      const junk = Uint8Array.of(...binary('1 1\n', [['a', [1]]]), 0x78, 0x79);
      expect(errorOf(() => parseVectors(junk, { format: 'word2vec-binary' })).message).toMatch(
        /unexpected bytes after the last of the header's 1 vectors/,
      );
      expect(
        errorOf(() => parseVectors(new TextEncoder().encode('hello world\n'), { format: 'word2vec-binary' }))
          .message,
      ).toMatch(/expected a "count dim" header \(dim at most 65536\), found "hello world"/);
    });

    it('rejects an unknown format', () => {
      expect(() => parseVectors('', { format: 'fasttext' as 'glove' })).toThrow(
        /format must be one of glove, word2vec, word2vec-binary/,
      );
    });
  });
});
