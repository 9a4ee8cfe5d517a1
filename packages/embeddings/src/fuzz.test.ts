/**
 * Hostile input (issue #9 §3) for every reader in this package: GloVe, word2vec text, word2vec binary
 * and vocabulary JSON each get >= 500 seeded mutations of a valid file. Only StrandErrors may leave the
 * reader, each case must finish well under a second, and an accepted file must equal what a strict,
 * independently written reference reader makes of it. Round-trip properties: parse(format(x)) == x.
 */
import { Rng, StrandError, Vocabulary } from '@strand/base';
import { fuzzReader } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { VECTOR_FORMATS, type VectorFormat } from './io/format.js';
import { formatVectors, parseVectors } from './io/vectors.js';
import { KeyedVectors } from './keyed-vectors.js';
import { parseVocabulary } from './vocabulary-json.js';

const fatal = new TextDecoder('utf-8', { fatal: true });
const STRICT_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface Table {
  words: string[];
  vectors: number[];
}

/** Reference for GloVe and word2vec text: every rule written out again, independently of the reader. */
function referenceText(bytes: Uint8Array, format: 'glove' | 'word2vec'): Table {
  const out: Table = { words: [], vectors: [] };
  let header: { count: number; dim: number } | null = null;
  let dim = -1;
  for (const raw of fatal.decode(bytes).split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    if (format === 'word2vec' && header === null) {
      if (fields.length !== 2 || !fields.every((f) => /^\d+$/.test(f))) throw new Error('bad header');
      header = { count: Number(fields[0]), dim: Number(fields[1]) };
      if (header.dim < 1) throw new Error('bad dim');
      dim = header.dim;
      continue;
    }
    if (dim < 0) dim = fields.length - 1;
    if (dim < 1 || fields.length !== dim + 1) throw new Error('wrong number of values');
    if (out.words.includes(fields[0]!)) throw new Error('duplicate word');
    out.words.push(fields[0]!);
    for (const f of fields.slice(1)) {
      if (!STRICT_DECIMAL.test(f)) throw new Error(`not a decimal: ${f}`);
      const v = Math.fround(Number(f));
      if (!Number.isFinite(v)) throw new Error('out of float32 range');
      out.vectors.push(v);
    }
  }
  if (header !== null && out.words.length !== header.count) throw new Error('count differs from the header');
  if (dim < 1) throw new Error('no vectors');
  return out;
}

/** Reference for word2vec binary, with a DataView over the whole input. */
function referenceBinary(bytes: Uint8Array): Table {
  const out: Table = { words: [], vectors: [] };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) throw new Error('no header line');
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(String.fromCharCode(...bytes.subarray(0, newline)));
  if (!m) throw new Error('bad header');
  const count = Number(m[1]);
  const dim = Number(m[2]);
  if (dim < 1) throw new Error('bad dim');
  let at = newline + 1;
  for (let k = 0; k < count; k++) {
    while (bytes[at] === 0x0a || bytes[at] === 0x0d) at++;
    const space = bytes.indexOf(0x20, at);
    if (space < 0) throw new Error('truncated word');
    const word = fatal.decode(bytes.subarray(at, space));
    if (word === '' || /\s/.test(word) || out.words.includes(word)) throw new Error('bad word');
    at = space + 1;
    if (at + 4 * dim > bytes.length) throw new Error('truncated vector');
    out.words.push(word);
    for (let d = 0; d < dim; d++, at += 4) {
      const v = view.getFloat32(at, true);
      if (!Number.isFinite(v)) throw new Error('non-finite value');
      out.vectors.push(v);
    }
  }
  for (; at < bytes.length; at++)
    if (bytes[at] !== 0x0a && bytes[at] !== 0x0d) throw new Error('trailing bytes');
  return out;
}

/** Reference for vocabulary JSON: base's format, an array of distinct words, or word -> id 0..n-1. */
function referenceVocabulary(bytes: Uint8Array): string[] {
  const json = JSON.parse(fatal.decode(bytes)) as unknown;
  if (Array.isArray(json)) {
    if (!json.every((w) => typeof w === 'string') || new Set(json).size !== json.length)
      throw new Error('bad list');
    return json as string[];
  }
  if (typeof json !== 'object' || json === null) throw new Error('not a vocabulary');
  const o = json as Record<string, unknown>;
  if (o['type'] === 'Vocabulary' && 'tokens' in o) {
    if (o['version'] !== 1) throw new Error('bad version');
    return [...new Vocabulary(o['tokens'] as string[]).tokens];
  }
  const entries = Object.entries(o);
  const words: string[] = [];
  for (const [word, id] of entries) {
    if (
      typeof id !== 'number' ||
      !Number.isInteger(id) ||
      id < 0 ||
      id >= entries.length ||
      words[id] !== undefined
    ) {
      throw new Error('bad id');
    }
    words[id] = word;
  }
  return words;
}

function randomVectors(seed: number, count: number, dim: number): KeyedVectors {
  const rng = new Rng(seed);
  const pool = 'abcdefghijklmnopqrstuvwxyzäöü€😀漢.,-_';
  const words = new Set<string>();
  while (words.size < count) {
    let w = '';
    for (let n = 1 + rng.int(6); n > 0; n--) w += [...pool][rng.int([...pool].length)];
    words.add(w);
  }
  const vectors = Float32Array.from({ length: count * dim }, () =>
    Math.fround(rng.normal() * 10 ** (rng.int(7) - 3)),
  );
  return new KeyedVectors([...words], vectors, dim);
}

const project = (kv: KeyedVectors): Table => ({ words: [...kv.words], vectors: Array.from(kv.vectors) });

describe('fuzzing the vector readers', () => {
  const kv = randomVectors(1, 12, 3);
  test.each(VECTOR_FORMATS)(
    '%s: typed errors only, accepted files equal the strict reference',
    async (format) => {
      const report = await fuzzReader({
        input: formatVectors(kv, { format }),
        read: (bytes) => parseVectors(bytes, { format, source: 'vectors' }),
        reference: (bytes) =>
          format === 'word2vec-binary' ? referenceBinary(bytes) : referenceText(bytes, format),
        project,
        seed: 21 + VECTOR_FORMATS.indexOf(format),
        count: 600,
      });
      expect(report.rejected).toBeGreaterThan(300);
      expect(Object.keys(report.codes)).toEqual(['ERR_FORMAT']);
    },
  );

  test.each([
    ['an array', JSON.stringify(['<pad>', 'the', 'cat', 'über', '😀'])],
    ['word -> id', JSON.stringify({ '<pad>': 0, the: 1, cat: 2, über: 3, '😀': 4 }, null, 1)],
    [
      "base's Vocabulary JSON",
      JSON.stringify(new Vocabulary(['<pad>', '<unk>', '<bos>', '<eos>', 'the', 'cat'])),
    ],
  ])(
    'vocabulary JSON (%s): typed errors only, accepted files equal the strict reference',
    async (_, input) => {
      const report = await fuzzReader({
        input,
        read: (bytes) => parseVocabulary(bytes, { source: 'vocab.json' }),
        reference: referenceVocabulary,
        seed: 31,
        count: 500,
      });
      expect(report.rejected).toBeGreaterThan(250);
    },
  );

  test('hostile declared sizes fail fast, before allocation', () => {
    const huge = [
      ['word2vec', '4294967296 300\na 1\n'],
      ['word2vec', '1 2147483647\na 1\n'],
      ['word2vec-binary', '99999999999 300\na '],
      ['word2vec', '0x1F 2\n'],
      ['glove', 'a 1e999\n'],
      ['glove', 'a NaN\n'],
      ['glove', 'a 0x1F\n'],
      ['glove', 'a 1e39\n'], // finite in float64, not in float32
    ] as const;
    for (const [format, text] of huge) {
      const started = performance.now();
      expect(() => parseVectors(text, { format }), `${format} ${JSON.stringify(text)}`).toThrow(StrandError);
      expect(performance.now() - started).toBeLessThan(100);
    }
    // A binary NaN is an error naming the byte offset of the value.
    const nan = new Uint8Array([...new TextEncoder().encode('1 2\na '), 0, 0, 0x80, 0x3f, 0, 0, 0xc0, 0x7f]);
    expect(() => parseVectors(nan, { format: 'word2vec-binary' })).toThrow(
      "word2vec binary <input> byte 10: value 2 of 'a' is NaN; vector files must hold finite numbers",
    );
  });
});

describe('round-trip properties', () => {
  test.each(VECTOR_FORMATS)('%s: parse(format(x)) == x for seeded random vectors', (format: VectorFormat) => {
    for (let seed = 0; seed < 20; seed++) {
      const kv = randomVectors(100 + seed, 1 + (seed % 7), 1 + (seed % 5));
      expect(project(parseVectors(formatVectors(kv, { format }), { format }))).toEqual(project(kv));
    }
  });

  test('vocabulary JSON: parse(serialize(v)) == v in all three spellings', () => {
    const rng = new Rng(4);
    for (let k = 0; k < 20; k++) {
      const words = [...new Set(Array.from({ length: 1 + rng.int(30) }, () => `w${rng.int(50)}`))];
      expect(parseVocabulary(JSON.stringify(words))).toEqual(words);
      expect(parseVocabulary(JSON.stringify(Object.fromEntries(words.map((w, i) => [w, i]))))).toEqual(words);
      const vocab = new Vocabulary(['<pad>', '<unk>', '<bos>', '<eos>', ...words]);
      expect(parseVocabulary(JSON.stringify(vocab))).toEqual(vocab.tokens);
    }
  });
});
