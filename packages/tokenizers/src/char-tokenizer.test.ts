import { readFileSync } from 'node:fs';
import { dataPath, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { CharTokenizer } from './char-tokenizer.js';
import { ConfigError, IdOutOfRangeError, VocabularyError } from './errors.js';
import { Tokenizer } from './tokenizer.js';

describe('CharTokenizer', () => {
  const tok = CharTokenizer.train('hello world');

  test('specials first, then characters in code-point order', () => {
    expect(tok.vocabSize).toBe(4 + 8);
    expect(tok.specialTokens.map((s) => s.content)).toEqual(['<pad>', '<unk>', '<bos>', '<eos>']);
    expect([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w'].map((c) => tok.tokenToId(c))).toEqual([
      4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    expect(tok.encodeIds('hole')).toEqual([7, 9, 8, 6]);
  });

  test('the order is stable: document order and repetition do not matter', () => {
    const other = CharTokenizer.train(['dlrow', 'olleh ', 'hhh']);
    expect(other.toJSON()).toEqual(tok.toJSON());
  });

  test('code-point order puts astral characters after U+FFFD', () => {
    const t = CharTokenizer.train('😀\ufffdA');
    expect(t.encodeIds('A\ufffd😀')).toEqual([4, 5, 6]);
  });

  test('encode gives tokens, offsets and masks; surrogate pairs are one character', () => {
    const t = CharTokenizer.train('a😀b', { addBos: true, addEos: true });
    expect(t.encode('b😀a')).toEqual({
      ids: [2, 5, 6, 4, 3],
      tokens: ['<bos>', 'b', '😀', 'a', '<eos>'],
      offsets: [
        [0, 0],
        [0, 1],
        [1, 3],
        [3, 4],
        [4, 4],
      ],
      specialTokensMask: [1, 0, 0, 0, 1],
    });
  });

  test('unknown characters become <unk>, or raise naming the character and position', () => {
    expect(tok.encodeIds('hex!')).toEqual([7, 6, 1, 1]);
    const strict = CharTokenizer.train('hello', { unknown: 'error' });
    expect(() => strict.encodeIds('hello!')).toThrow(VocabularyError);
    try {
      strict.encode('hel\u00e9lo');
    } catch (error) {
      expect(error).toBeInstanceOf(VocabularyError);
      expect((error as VocabularyError).token).toBe('é');
      expect((error as VocabularyError).position).toBe(3);
      expect((error as Error).message).toContain(
        'token at position 3: expected a token in the vocabulary, received "é" (U+00E9)',
      );
    }
  });

  test('minFrequency leaves rare characters out', () => {
    const t = CharTokenizer.train('aaab', { minFrequency: 2 });
    expect(t.vocabSize).toBe(5);
    expect(t.encodeIds('ab')).toEqual([4, 1]);
    expect(() => CharTokenizer.train('a', { minFrequency: 0 })).toThrow(ConfigError);
  });

  test('a normalizer applies to training and encoding, and offsets point into the original text', () => {
    const t = CharTokenizer.train('cafe\u0301', { normalizer: { type: 'NFC' } });
    expect(t.encode('caf\u00e9').ids).toEqual(t.encode('cafe\u0301').ids);
    expect(t.encode('cafe\u0301').offsets.at(-1)).toEqual([3, 5]);
  });

  test('decode round-trips and rejects unknown ids', () => {
    expect(tok.decode(tok.encodeIds('hello world'))).toBe('hello world');
    expect(tok.decode([2, 7, 3])).toBe('<bos>h<eos>');
    expect(tok.decode([2, 7, 3], { skipSpecialTokens: true })).toBe('h');
    expect(() => tok.decode([7, 12])).toThrow(IdOutOfRangeError);
    expect(() => tok.decode([7, 12])).toThrow(
      'token id at index 1: expected an integer in [0, 12), received 12',
    );
    expect(() => tok.decode([-1])).toThrow(IdOutOfRangeError);
    expect(() => tok.decode([1.5])).toThrow(/ids must be integers/);
  });

  test('special tokens in text are plain text unless allowed', () => {
    const t = CharTokenizer.train('<pade>'); // < 4, > 5, a 6, d 7, e 8, p 9
    expect(t.encodeIds('<pad>')).toEqual([4, 9, 6, 7, 5]);
    expect(t.encodeIds('a<pad>', { allowedSpecial: ['<pad>'] })).toEqual([6, 0]);
    expect(t.encodeIds('<eos><pad>', { allowedSpecial: 'all' })).toEqual([3, 0]);
    expect(() => t.encodeIds('x', { allowedSpecial: ['<sep>'] })).toThrow(ConfigError);
  });

  test('JSON round trip behaves identically', () => {
    const t = CharTokenizer.train('abc', { unknown: 'error', addEos: true });
    const copy = Tokenizer.parse(JSON.stringify(t.toJSON()));
    expect(copy.toJSON()).toEqual(t.toJSON());
    expect(copy.encode('cab')).toEqual(t.encode('cab'));
    expect(() => copy.encodeIds('abd')).toThrow(VocabularyError);
  });

  describe.skipIf(!hasData('tinyshakespeare', 'input.txt'))('on tiny Shakespeare', () => {
    // describe bodies run while collecting, even when skipped: read only when the data is there.
    const text = hasData('tinyshakespeare', 'input.txt')
      ? readFileSync(dataPath('tinyshakespeare', 'input.txt'), 'utf8')
      : '';
    test('65 distinct characters, round trip', () => {
      const t = CharTokenizer.train(text);
      expect(t.vocabSize).toBe(4 + 65);
      const ids = t.encodeIds(text);
      expect(ids.length).toBe(1_115_394);
      expect(t.decode(ids)).toBe(text);
      // nanoGPT's famous [18, 47, 56, 57, 58, 1, 15, 47, 58, 47, 64, 43, 52], shifted by the 4 special tokens.
      const nanoGpt = [18, 47, 56, 57, 58, 1, 15, 47, 58, 47, 64, 43, 52];
      expect(t.encodeIds('First Citizen')).toEqual(nanoGpt.map((id) => id + 4));
    });
  });
});
