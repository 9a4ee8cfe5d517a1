import { describe, expect, it } from 'vitest';
import { FormatError, IdOutOfRangeError, InputError, VocabularyError } from './errors.js';
import {
  BOS,
  BOS_ID,
  buildVocabulary,
  createVocabulary,
  EOS,
  EOS_ID,
  PAD,
  PAD_ID,
  SPECIAL_TOKENS,
  UNK,
  UNK_ID,
  Vocabulary,
} from './vocabulary.js';

describe('the vocabulary convention', () => {
  it('fixes <pad>=0 <unk>=1 <bos>=2 <eos>=3', () => {
    expect([PAD_ID, UNK_ID, BOS_ID, EOS_ID]).toEqual([0, 1, 2, 3]);
    expect(SPECIAL_TOKENS).toEqual([PAD, UNK, BOS, EOS]);
    expect(SPECIAL_TOKENS).toEqual(['<pad>', '<unk>', '<bos>', '<eos>']);
    const v = createVocabulary(['a', 'b']);
    expect(v.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b']);
    expect(v.id(PAD)).toBe(0);
    expect(v.id(EOS)).toBe(3);
  });

  it('createVocabulary skips repeated tokens and specials given again', () => {
    expect(createVocabulary(['x', '<unk>', 'x', 'y']).tokens).toEqual([...SPECIAL_TOKENS, 'x', 'y']);
  });

  it('encode/decode; unknown tokens become <unk> or a VocabularyError naming token and position', () => {
    const v = createVocabulary(['the', 'cat']);
    expect(Array.from(v.encode(['the', 'dog', 'cat']))).toEqual([4, 1, 5]);
    expect(v.decode([4, 5, 3])).toEqual(['the', 'cat', '<eos>']);
    expect(v.has('cat')).toBe(true);
    expect(v.has('dog')).toBe(false);
    expect(v.size).toBe(6);
    const strict = createVocabulary(['the'], { unknown: 'error' });
    try {
      strict.encode(['the', 'the', 'ü']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VocabularyError);
      expect((e as VocabularyError).token).toBe('ü');
      expect((e as VocabularyError).position).toBe(2);
    }
  });

  it('token/decode of an id outside [0, size) is an IdOutOfRangeError with index and size', () => {
    const v = createVocabulary(['a']);
    for (const id of [-1, 5, 1.5, Number.NaN]) expect(() => v.token(id)).toThrow(IdOutOfRangeError);
    try {
      v.decode([4, 0, 9]);
      expect.unreachable();
    } catch (e) {
      expect((e as IdOutOfRangeError).index).toBe(2);
      expect((e as IdOutOfRangeError).size).toBe(5);
      expect((e as Error).message).toBe('token id at index 2: expected an integer in [0, 5), received 9');
    }
  });

  it('is immutable', () => {
    const v = createVocabulary(['a']);
    expect(() => (v.tokens as string[]).push('b')).toThrow(TypeError);
    expect(v.size).toBe(5);
  });

  it('the constructor enforces the specials and distinct tokens', () => {
    expect(() => new Vocabulary(['<unk>', '<pad>', '<bos>', '<eos>'])).toThrow(InputError);
    expect(() => new Vocabulary(['<pad>', '<unk>', '<bos>'])).toThrow(/vocabulary token 3: expected "<eos>"/);
    expect(() => new Vocabulary([...SPECIAL_TOKENS, 'a', 'a'])).toThrow(
      /distinct tokens, received a second "a"/,
    );
  });

  it('buildVocabulary: most frequent first, ties by code point, minCount and maxSize', () => {
    const v = buildVocabulary([
      ['b', 'a', 'c'],
      ['a', 'c', 'd'],
      ['<bos>', 'a'],
    ]);
    expect(v.tokens.slice(4)).toEqual(['a', 'c', 'b', 'd']);
    expect(
      buildVocabulary(
        [
          ['b', 'a', 'c'],
          ['a', 'c', 'd'],
        ],
        { minCount: 2 },
      ).tokens.slice(4),
    ).toEqual(['a', 'c']);
    expect(
      buildVocabulary(
        [
          ['b', 'a', 'c'],
          ['a', 'c', 'd'],
        ],
        { maxSize: 5 },
      ).tokens,
    ).toEqual([...SPECIAL_TOKENS, 'a']);
    expect(buildVocabulary(['hello', 'world']).tokens.slice(4, 6)).toEqual(['l', 'o']); // strings are character sequences
  });

  it('toJSON/fromJSON and parse round-trip', () => {
    const v = buildVocabulary([['z', 'é', '😀', '"', '\\', '']]);
    const json = v.toJSON();
    expect(json).toEqual({ version: 1, type: 'Vocabulary', tokens: v.tokens });
    expect(Vocabulary.fromJSON(JSON.parse(JSON.stringify(json))).tokens).toEqual(v.tokens);
    expect(Vocabulary.parse(JSON.stringify(v)).tokens).toEqual(v.tokens);
  });

  it('fromJSON/parse reject malformed files with a FormatError naming the path', () => {
    const ok = createVocabulary(['a']).toJSON();
    const cases: [unknown, RegExp][] = [
      [null, /at \$: expected an object, got null/],
      [{ ...ok, version: 2 }, /at \$\.version: expected version 1, got the number 2/],
      [{ ...ok, type: 'Vocab' }, /at \$\.type/],
      [{ ...ok, tokens: [...ok.tokens, 3] }, /at \$\.tokens\[5\]: expected a string, got the number 3/],
      [{ ...ok, tokens: ['<unk>', '<pad>', '<bos>', '<eos>'] }, /at \$\.tokens: vocabulary token 0/],
      [{ ...ok, tokens: [...ok.tokens, 'a'] }, /distinct tokens/],
    ];
    for (const [json, message] of cases) {
      let error: unknown;
      try {
        Vocabulary.fromJSON(json, { source: 'v.json' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).source).toBe('v.json');
      expect((error as Error).message).toMatch(message);
    }
    expect(() => Vocabulary.parse('{"version":1,', { source: 'v.json' })).toThrow(
      /v\.json:1:14: invalid JSON/,
    );
    expect(() => Vocabulary.parse('['.repeat(100_000))).toThrow(FormatError);
  });
});
