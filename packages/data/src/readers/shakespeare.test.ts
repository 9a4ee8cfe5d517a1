import { readFileSync } from 'node:fs';
import { FormatError, PAD, SPECIAL_TOKENS, UNK_ID } from '@strand/base';
import { dataPath, fuzzReader, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { splitText } from '../batching/split.js';
import { charVocabulary, parseText } from './shakespeare.js';

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseText', () => {
  test('text and bytes give the same string, byte for byte (no newline or BOM changes)', () => {
    const text = '\uFEFFFirst Citizen:\r\nBefore we proceed, hear me speak.\n\né';
    expect(parseText(text)).toBe(text);
    expect(parseText(encode(text))).toBe(text);
  });

  test('invalid UTF-8 names the byte offset and file; empty is an error', () => {
    const bytes = Uint8Array.of(0x61, 0x62, 0xff, 0x63);
    const error = (() => {
      try {
        parseText(bytes, { source: 'input.txt' });
      } catch (e) {
        return e as FormatError;
      }
    })();
    expect(error).toBeInstanceOf(FormatError);
    expect(error?.byteOffset).toBe(2);
    expect(error?.message).toMatch(/input\.txt.*byte 2.*invalid UTF-8/);
    expect(() => parseText('', { source: 'input.txt' })).toThrow(/input\.txt: the file is empty/);
    expect(() => parseText(42 as unknown as string)).toThrow(/a string or a Uint8Array/);
  });

  test('fuzz: 600 mutations, only StrandErrors, accepted input decodes exactly', async () => {
    const input = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n';
    const report = await fuzzReader({
      input,
      count: 600,
      read: (bytes) => parseText(bytes, { source: 'input.txt' }),
      reference: (bytes) => {
        const t = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
        if (t === '') throw new Error('empty');
        return t;
      },
    });
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.codes['ERR_FORMAT']).toBeGreaterThan(0);
  });
});

describe('charVocabulary', () => {
  test('specials first, then characters by frequency, ties in code-point order', () => {
    const v = charVocabulary('abracadabra!');
    // a:5 b:2 r:2 c:1 d:1 !:1 -> a, b, r, then ! c d (code-point order)
    expect(v.tokens).toEqual([...SPECIAL_TOKENS, 'a', 'b', 'r', '!', 'c', 'd']);
    expect([...v.encode('abc')]).toEqual([4, 5, 8]);
    expect(v.decode(v.encode('cab')).join('')).toBe('cab');
    expect(v.id('z')).toBe(UNK_ID);
    expect(v.token(0)).toBe(PAD);
  });

  test('code points, not UTF-16 units', () => {
    const v = charVocabulary('😀😀x');
    expect(v.tokens.slice(4)).toEqual(['😀', 'x']);
    expect([...v.encode('😀x')]).toEqual([4, 5]);
  });
});

describe.skipIf(!hasData('tinyshakespeare', 'input.txt'))('tiny Shakespeare (shared data)', () => {
  test('1,115,394 characters, 65 distinct; the nanoGPT split', () => {
    const text = parseText(readFileSync(dataPath('tinyshakespeare', 'input.txt')), { source: 'input.txt' });
    expect(text.length).toBe(1_115_394);
    const vocab = charVocabulary(text);
    expect(vocab.size).toBe(65 + 4);
    expect(vocab.tokens[4]).toBe(' '); // the most frequent character
    const { train, valid } = splitText(text);
    expect(train.length).toBe(1_003_854);
    expect(valid.length).toBe(111_540);
    expect(vocab.decode(vocab.encode(valid)).join('')).toBe(valid);
  });
});
