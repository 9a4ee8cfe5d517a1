import { readFileSync } from 'node:fs';
import { dataPath, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { ConfigError, VocabularyError } from './errors.js';
import { Tokenizer } from './tokenizer.js';
import { WordTokenizer } from './word-tokenizer.js';

describe('WordTokenizer', () => {
  const corpus = 'The cat sat. The dog sat! A cat? The END.';

  test('vocabulary by frequency, ties in code-point order, after the 4 specials', () => {
    const t = WordTokenizer.train(corpus);
    // The 3, . 2, cat 2, sat 2, then the singletons in code-point order: ! ? A END dog
    const vocab = t.toJSON().model.vocab;
    expect(vocab).toEqual([null, null, null, null, 'The', '.', 'cat', 'sat', '!', '?', 'A', 'END', 'dog']);
    expect(t.encodeIds('The cat sat.')).toEqual([4, 6, 7, 5]);
  });

  test('lowercasing and NFKC are applied before counting', () => {
    const t = WordTokenizer.train('Ｃａｔ cat CAT ﬁsh', { normalization: 'NFKC', lowercase: true });
    expect(t.toJSON().model.vocab.slice(4)).toEqual(['cat', 'fish']);
    expect(t.encode('The CAT').ids).toEqual([1, 4]);
    // Offsets point into the original text even though normalization changed it.
    expect(t.encode('  Ｃａｔ ﬁsh').offsets).toEqual([
      [2, 5],
      [6, 9],
    ]);
  });

  test('minFrequency and maxSize', () => {
    expect(WordTokenizer.train(corpus, { minFrequency: 2 }).toJSON().model.vocab.slice(4)).toEqual([
      'The',
      '.',
      'cat',
      'sat',
    ]);
    const small = WordTokenizer.train(corpus, { maxSize: 6 });
    expect(small.vocabSize).toBe(6);
    expect(small.encodeIds('The cat .')).toEqual([4, 1, 5]);
    expect(() => WordTokenizer.train(corpus, { maxSize: 3 })).toThrow(ConfigError);
  });

  test('punctuation is split off; apostrophes inside words are kept', () => {
    const t = WordTokenizer.train("Don't stop, o'er-leap!");
    expect(t.encode("Don't stop, o'er-leap!").tokens).toEqual([
      "Don't",
      'stop',
      ',',
      "o'er",
      '-',
      'leap',
      '!',
    ]);
  });

  test('strict mode names the unknown word and its position in the original text', () => {
    const t = WordTokenizer.train(corpus, { unknown: 'error', lowercase: true });
    expect(() => t.encodeIds('the cat sat.')).not.toThrow();
    let error: unknown;
    try {
      t.encodeIds('The  CAT  flew');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VocabularyError);
    expect((error as VocabularyError).token).toBe('flew');
    expect((error as VocabularyError).position).toBe(10);
    expect(() => t.encode('ｘ cat')).toThrow(
      /token at position 0: expected a token in the vocabulary, received "ｘ"/,
    );
  });

  test('bos/eos, decode and JSON round trip', () => {
    const t = WordTokenizer.train(corpus, { addBos: true, addEos: true });
    const enc = t.encode('The dog sat!');
    expect(enc.ids).toEqual([2, 4, 12, 7, 8, 3]);
    expect(enc.offsets).toEqual([
      [0, 0],
      [0, 3],
      [4, 7],
      [8, 11],
      [11, 12],
      [12, 12],
    ]);
    expect(t.decode(enc.ids, { skipSpecialTokens: true })).toBe('The dog sat!');
    expect(t.decode(enc.ids)).toBe('<bos> The dog sat! <eos>');
    const copy = Tokenizer.fromJSON(JSON.parse(JSON.stringify(t)));
    expect(copy.encode('A cat? The bird.')).toEqual(t.encode('A cat? The bird.'));
  });

  describe.skipIf(!hasData('tinyshakespeare', 'input.txt'))('on tiny Shakespeare', () => {
    // describe bodies run while collecting, even when skipped: read only when the data is there.
    const text = hasData('tinyshakespeare', 'input.txt')
      ? readFileSync(dataPath('tinyshakespeare', 'input.txt'), 'utf8')
      : '';
    // Numbers checked independently with Python's re on the (ASCII-only) lowercased text.
    test('most frequent words and coverage', () => {
      const t = WordTokenizer.train(text, { lowercase: true, maxSize: 10_000 });
      expect(t.vocabSize).toBe(10_000);
      expect(t.toJSON().model.vocab.slice(4, 12)).toEqual([',', ':', '.', 'the', 'and', 'to', 'i', 'of']);
      const ids = t.encodeIds(text);
      const unk = ids.filter((id) => id === 1).length;
      expect(ids.length).toBe(253_593);
      expect(unk).toBe(2_388); // occurrences of the 12,384 - 9,996 least frequent words
    });
  });
});
