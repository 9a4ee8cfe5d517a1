/**
 * Hostile input (issue #9 §3): every tokenizer file format is fed >= 500 seeded mutations of a valid
 * file. Only StrandErrors may leave the loader, each case must finish well under a second, and an
 * accepted file must equal what a strict, independently written reference reader makes of it.
 * Round-trip properties: parse(serialize(x)) == x on seeded random tokenizers and rank tables.
 */
import { Buffer } from 'node:buffer';
import { Rng } from '@strand/base';
import { fuzzReader } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { BPETokenizer } from './bpe-tokenizer.js';
import { fromByteLevel } from './byte-level.js';
import { CharTokenizer } from './char-tokenizer.js';
import { FormatError } from './errors.js';
import { toHuggingFace, toTiktoken } from './huggingface-export.js';
import { parseTokenizerFile } from './node.js';
import { hardStrings } from './testing/hard-strings.js';
import { randomText, rng } from './testing/random-text.js';
import { decodeBase64, formatTiktokenFile, parseTiktokenFile } from './tiktoken.js';
import { Tokenizer } from './tokenizer.js';
import { WordTokenizer } from './word-tokenizer.js';

const SAMPLE = 'Hello, world! The cat sat.\n  naïve 👍🏽';

/** Loads mutated bytes, then uses the tokenizer: encoding and decoding must not throw untyped errors either. */
function load(source: string, options = {}) {
  return (bytes: Uint8Array): Tokenizer => {
    const t = parseTokenizerFile(bytes, source, options);
    t.decode(t.encodeIds(SAMPLE, { allowedSpecial: 'all' }));
    return t;
  };
}

/** Strict reference: fatal UTF-8, then JSON.parse (which has no NaN, hex or Infinity). */
function strictJson(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
}

describe('fuzzing the tokenizer readers', () => {
  test.each([
    ['char', CharTokenizer.train('hello world, héllo 😀', { addBos: true, addEos: true })],
    ['word', WordTokenizer.train('The cat sat. The dog sat!', { lowercase: true, unknown: 'error' })],
    ['bpe', BPETokenizer.train(hardStrings.join(' '), { vocabSize: 300 })],
  ])('Strand tokenizer JSON (%s): typed errors only, accepted files equal the strict JSON', async (_, t) => {
    const report = await fuzzReader({
      input: JSON.stringify(t.toJSON(), null, 1),
      read: load('tok.json'),
      reference: strictJson,
      project: (result) => result.toJSON(),
      seed: 11,
      count: 500,
    });
    expect(report.rejected).toBeGreaterThan(250);
    expect(report.codes['ERR_FORMAT']).toBeGreaterThan(200);
  });

  test('HF tokenizer.json: typed errors only, accepted files give the reference vocabulary and merges', async () => {
    const t = BPETokenizer.train(hardStrings.join(' '), { vocabSize: 300, addBos: true, addEos: true });
    const report = await fuzzReader({
      input: JSON.stringify(toHuggingFace(t), null, 1),
      read: load('tokenizer.json'),
      reference: (bytes) => {
        const json = strictJson(bytes) as {
          added_tokens: { id: number; content: string }[];
          model: { vocab: Record<string, number>; merges: (string | string[])[] };
        };
        const added = new Map(json.added_tokens.map((a) => [a.id, a.content]));
        const ids: Record<string, number> = {};
        for (const [token, id] of Object.entries(json.model.vocab)) if (!added.has(id)) ids[token] = id;
        for (const [id, content] of added) ids[content] = id;
        const merges = json.model.merges.map((m) => (typeof m === 'string' ? m.split(' ') : m));
        return { ids, merges };
      },
      project: (result) => {
        const ids: Record<string, number> = {};
        for (let id = 0; id < result.vocabSize; id++) {
          const token = result.idToToken(id);
          if (token !== undefined) ids[token] = id;
        }
        const { model } = result.toJSON();
        return { ids, merges: model.type === 'BPE' && model.mode === 'merges' ? model.merges : [] };
      },
      seed: 12,
      count: 500,
    });
    expect(report.rejected).toBeGreaterThan(250);
  });

  test('.tiktoken: typed errors only (no DOMException from base64), accepted files equal the reference table', async () => {
    let file = '';
    for (let b = 0; b < 256; b++) file += `${btoa(String.fromCharCode(b))} ${b}\n`;
    ['th', 'he', 'the', ' the', 'in', 'ing'].forEach((token, k) => {
      file += `${btoa(token)} ${256 + k}\n`;
    });
    const report = await fuzzReader({
      input: file,
      read: load('ranks.tiktoken', { pattern: 'cl100k', specialTokens: { '<|end|>': 300 } }),
      // Independent reader: Node's base64 decoder, canonical spelling required; rank table re-written.
      reference: (bytes) => {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        const table = new Map<number, string>();
        for (const raw of text.split('\n')) {
          const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
          if (line === '') continue;
          const m = /^([A-Za-z0-9+/=]+) (\d+)$/.exec(line);
          if (!m) throw new Error(`bad line ${JSON.stringify(line)}`);
          const token = Buffer.from(m[1]!, 'base64');
          if (token.length === 0 || token.toString('base64') !== m[1])
            throw new Error('not canonical base64');
          const rank = Number(m[2]);
          if (table.has(rank)) throw new Error('duplicate rank');
          table.set(rank, token.toString('latin1'));
        }
        return [...table.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([rank, token]) => `${Buffer.from(token, 'latin1').toString('base64')} ${rank}\n`)
          .join('');
      },
      project: (result) => toTiktoken(result),
      seed: 13,
      count: 500,
    });
    expect(report.rejected).toBeGreaterThan(250);
  });

  test('hostile sizes fail fast with a typed error', () => {
    const t = CharTokenizer.train('ab');
    const json = t.toJSON() as unknown as { specialTokens: { id: number }[] };
    json.specialTokens[0]!.id = 2 ** 31; // once an OOM after 10 s
    expect(() => Tokenizer.fromJSON(json)).toThrow(FormatError);
    expect(() => parseTiktokenFile('YQ== 999999999999\n')).toThrow(/larger than the largest supported id/);
    expect(() => parseTiktokenFile('YQ== 0x1F\n')).toThrow(FormatError);
    expect(() => parseTiktokenFile('YQ= 0\n')).toThrow(/expected a base64 token/); // atob would throw a DOMException
    expect(() => parseTiktokenFile('YR== 0\n')).toThrow(/expected a base64 token/); // non-zero pad bits
    const deep = `{"format":"strand-tokenizer","version":1,"x":${'['.repeat(100_000)}`;
    expect(() => Tokenizer.parse(deep)).toThrow(/nesting deeper than 64 levels/);
    let normalizer: unknown = { type: 'NFC' };
    for (let i = 0; i < 40; i++) normalizer = { type: 'Sequence', normalizers: [normalizer] };
    expect(() => Tokenizer.fromJSON({ ...t.toJSON(), normalizer })).toThrow(/nested deeper than 16 levels/);
    const invalid = Uint8Array.of(...new TextEncoder().encode('{"a": "'), 0xff, 0x22, 0x7d);
    try {
      parseTokenizerFile(invalid, 'bad.json');
      expect.fail('expected a FormatError');
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).byteOffset).toBe(7);
    }
    // Replacement only when asked for: then the file is read (and here fails later, as JSON without a model).
    expect(() => parseTokenizerFile(invalid, 'bad.json', {}, true)).toThrow(/expected a Strand tokenizer/);
  });
});

describe('round-trip properties', () => {
  test('Strand JSON and tokenizer.json: parse(serialize(t)) == t for seeded random corpora', () => {
    const random = rng(5);
    for (let k = 0; k < 6; k++) {
      const corpus = Array.from({ length: 20 }, () => randomText(random, 30));
      for (const t of [
        CharTokenizer.train(corpus, { addBos: k % 2 === 0 }),
        WordTokenizer.train(corpus, { lowercase: k % 2 === 1 }),
        BPETokenizer.train(corpus, { vocabSize: 280 + 10 * k }),
      ]) {
        expect(Tokenizer.parse(JSON.stringify(t.toJSON())).toJSON()).toEqual(t.toJSON());
      }
      const bpe = BPETokenizer.train(corpus, { vocabSize: 300, addEos: true });
      expect(BPETokenizer.fromHuggingFace(JSON.stringify(toHuggingFace(bpe))).toJSON()).toEqual(bpe.toJSON());
    }
  });

  test('.tiktoken: parse(format(table)) == table for seeded random byte tables with holes', () => {
    const r = new Rng(9);
    for (let k = 0; k < 50; k++) {
      const table: (string | undefined)[] = [];
      const seen = new Set<string>();
      for (let rank = 0; rank < 40; rank++) {
        let token = '';
        for (let n = 1 + r.int(6); n > 0; n--) token += String.fromCharCode(r.int(256));
        table.push(r.next() < 0.2 || seen.has(token) ? undefined : token);
        seen.add(token);
      }
      while (table.at(-1) === undefined) table.pop();
      if (table.length === 0) continue;
      expect(parseTiktokenFile(formatTiktokenFile(table))).toEqual(table);
    }
  });

  test('base64 decoding agrees with the platform on canonical tokens and rejects the rest', () => {
    const r = new Rng(3);
    for (let k = 0; k < 500; k++) {
      const bytes = Uint8Array.from({ length: 1 + r.int(10) }, () => r.int(256));
      const token = Buffer.from(bytes).toString('base64');
      expect(decodeBase64(token)).toBe(Buffer.from(bytes).toString('latin1'));
      const mutated =
        token.slice(0, r.int(token.length)) + 'A=!-_ \u00e9'[r.int(7)]! + token.slice(r.int(token.length));
      const decoded = decodeBase64(mutated);
      if (decoded !== undefined) expect(Buffer.from(decoded, 'latin1').toString('base64')).toBe(mutated);
    }
    expect(fromByteLevel('Ġ')).toBe(' ');
  });
});
