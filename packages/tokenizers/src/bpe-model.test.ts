import { describe, expect, test } from 'vitest';
import { type BpeJSON, CACHE_LIMIT, createBpeModel } from './bpe-model.js';
import { toByteLevel } from './byte-level.js';
import { FormatError } from './errors.js';

const bytes = Array.from({ length: 256 }, (_, b) => toByteLevel(String.fromCharCode(b)));

function encode(json: BpeJSON, piece: string): number[] {
  const out: number[] = [];
  createBpeModel(json).encodePiece(piece, out);
  return out;
}

describe('BPE model', () => {
  const ranks: BpeJSON = { type: 'BPE', mode: 'ranks', vocab: [...bytes, 'ab', 'abc', null, 'Ã©'] }; // "Ã©" = bytes C3 A9 = "é"

  test('ranks mode: a piece that is a token is emitted whole; holes are allowed', () => {
    expect(encode(ranks, 'abc')).toEqual([257]);
    expect(encode(ranks, 'abcd')).toEqual([257, 100]);
    expect(encode(ranks, 'é')).toEqual([259]);
    expect(createBpeModel(ranks).size).toBe(260);
    expect(createBpeModel(ranks).idToToken(258)).toBeUndefined();
  });

  test('merges mode with ignoreMerges', () => {
    const merges: BpeJSON = {
      type: 'BPE',
      mode: 'merges',
      vocab: [...bytes, 'ab', 'bc', 'abc'],
      merges: [
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'bc'],
      ],
      ignoreMerges: false,
    };
    expect(encode(merges, 'abc')).toEqual([256, 99]);
    expect(encode({ ...merges, ignoreMerges: true }, 'abc')).toEqual([258]);
  });

  test('offsets of byte tokens map to UTF-16 characters', () => {
    const model = createBpeModel(ranks);
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    model.tokenizePiece('aé😀', ids, starts, ends);
    expect(ids).toEqual([97, 259, 0xf0, 0x9f, 0x98, 0x80]);
    expect(starts).toEqual([0, 1, 2, 2, 2, 2]);
    expect(ends).toEqual([1, 2, 4, 4, 4, 4]);
  });

  test('the piece memo is bounded and never changes results', () => {
    const model = createBpeModel(ranks);
    const first: number[] = [];
    for (let i = 0; i < CACHE_LIMIT + 10; i++) model.encodePiece(`${i}abc`, []);
    model.encodePiece('abcd', first);
    expect(first).toEqual([257, 100]);
  });

  test.each<[string, BpeJSON, string]>([
    [
      'a bad mode',
      { ...ranks, mode: 'greedy' } as unknown as BpeJSON,
      "model.mode: expected 'ranks' or 'merges', got \"greedy\"",
    ],
    [
      'non byte-level text',
      { ...ranks, vocab: [...bytes, 'a b'] },
      'model.vocab[256]: "a b" is not byte-level text',
    ],
    ['a duplicate', { ...ranks, vocab: [...bytes, 'a'] }, 'model.vocab[256]: duplicate token "a"'],
    [
      'a missing merge result',
      { type: 'BPE', mode: 'merges', vocab: bytes, merges: [['a', 'b']], ignoreMerges: false },
      'model.merges[0]: the merged token "ab" is not in the vocabulary',
    ],
    [
      'a missing flag',
      { type: 'BPE', mode: 'merges', vocab: bytes, merges: [] } as unknown as BpeJSON,
      'model.ignoreMerges: expected a boolean',
    ],
  ])('rejects %s', (_, json, message) => {
    expect(() => createBpeModel(json)).toThrow(FormatError);
    expect(() => createBpeModel(json)).toThrow(message);
  });
});
