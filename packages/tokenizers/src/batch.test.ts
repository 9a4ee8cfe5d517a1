import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { describe, expect, test } from 'vitest';
import { BPETokenizer } from './bpe-tokenizer.js';
import { ConfigError, SequenceTooLongError } from './errors.js';
import { WordTokenizer } from './word-tokenizer.js';

// <pad> 0 <unk> 1 <bos> 2 <eos> 3, then by count (ties in code-point order): the 4, . 5, cat 6, sat 7, a 8, dog 9
const words = WordTokenizer.train('the the the cat cat sat sat . . a dog', { addBos: true, addEos: true });

describe('encodeBatch', () => {
  test('no padding: ragged rows with masks', () => {
    const batch = words.encodeBatch(['the cat', 'a dog sat.']);
    expect(batch.ids).toEqual([
      [2, 4, 6, 3],
      [2, 8, 9, 7, 5, 3],
    ]);
    expect(batch.attentionMask).toEqual([
      [1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1],
    ]);
  });

  test("padding 'longest' pads with <pad> (id 0) and masks it", () => {
    const batch = words.encodeBatch(['the cat', 'a dog sat.', ''], { padding: 'longest' });
    expect(batch.ids).toEqual([
      [2, 4, 6, 3, 0, 0],
      [2, 8, 9, 7, 5, 3],
      [2, 3, 0, 0, 0, 0],
    ]);
    expect(batch.attentionMask).toEqual([
      [1, 1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1, 1],
      [1, 1, 0, 0, 0, 0],
    ]);
    expect(batch.tokens[2]).toEqual(['<bos>', '<eos>', '<pad>', '<pad>', '<pad>', '<pad>']);
    expect(batch.offsets[0]).toEqual([
      [0, 0],
      [0, 3],
      [4, 7],
      [7, 7],
      [0, 0],
      [0, 0],
    ]);
    expect(batch.specialTokensMask[0]).toEqual([1, 0, 0, 1, 1, 1]);
  });

  test("padding 'maxLength' and explicit truncation keep <bos> and <eos>", () => {
    const batch = words.encodeBatch(['the cat', 'a dog sat.'], {
      padding: 'maxLength',
      truncation: true,
      maxLength: 5,
    });
    expect(batch.ids).toEqual([
      [2, 4, 6, 3, 0],
      [2, 8, 9, 7, 3],
    ]);
    expect(batch.attentionMask).toEqual([
      [1, 1, 1, 1, 0],
      [1, 1, 1, 1, 1],
    ]);
    expect(batch.offsets[1]).toEqual([
      [0, 0],
      [0, 1],
      [2, 5],
      [6, 9],
      [10, 10],
    ]);
  });

  test('a row longer than maxLength without truncation throws, naming the row and its length', () => {
    expect(() => words.encodeBatch(['the cat', 'a dog sat.'], { maxLength: 5 })).toThrow(
      SequenceTooLongError,
    );
    expect(() => words.encodeBatch(['the cat', 'a dog sat.'], { padding: 'longest', maxLength: 5 })).toThrow(
      'sequence 1: expected at most maxLength 5 tokens, received 6 tokens. pass truncation: true to cut it, or raise maxLength',
    );
    const error = (() => {
      try {
        words.encodeBatch(['a dog sat.'], { maxLength: 4 });
      } catch (e) {
        return e as SequenceTooLongError;
      }
    })();
    expect([error?.index, error?.length, error?.maxLength]).toEqual([0, 6, 4]);
  });

  test('options that cannot work are rejected up front', () => {
    expect(() => words.encodeBatch(['x'], { truncation: true })).toThrow(ConfigError);
    expect(() => words.encodeBatch(['x'], { padding: 'maxLength' })).toThrow(
      "padding: 'maxLength' needs maxLength.",
    );
    expect(() => words.encodeBatch(['x'], { maxLength: 0 })).toThrow(/positive integer/);
    expect(() => words.encodeBatch(['x'], { truncation: true, maxLength: 1 })).toThrow(
      /cannot hold the 2 special tokens/,
    );
  });

  test('BPE without <pad> needs an explicit padId', () => {
    const cl = BPETokenizer.fromTiktoken(cl100k);
    expect(() => cl.encodeBatch(['a', 'b c'], { padding: 'longest' })).toThrow(
      /no <pad> special token, so pass padId/,
    );
    const batch = cl.encodeBatch(['a', 'hello world'], { padding: 'longest', padId: 100257 });
    expect(batch.ids).toEqual([
      [64, 100257],
      [15339, 1917],
    ]);
    expect(batch.tokens[0]).toEqual(['a', '<|endoftext|>']);
    expect(() => cl.encodeBatch(['a'], { padding: 'longest', padId: 100277 })).toThrow(ConfigError);
  });
});
