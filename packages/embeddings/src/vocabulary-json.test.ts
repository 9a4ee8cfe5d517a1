import { describe, expect, it } from 'vitest';
import { VectorFileError } from './errors.js';
import { parseVocabulary } from './vocabulary-json.js';

describe('parseVocabulary', () => {
  it('reads an array of words or an object of word → id', () => {
    expect(parseVocabulary('["<pad>", "the", "cat"]')).toEqual(['<pad>', 'the', 'cat']);
    expect(parseVocabulary('{"cat": 2, "<pad>": 0, "the": 1}')).toEqual(['<pad>', 'the', 'cat']);
  });

  it.each([
    ['{\n  "a": 0,\n  "b": 1,\n}', /^vocab\.json, line 4: malformed JSON/],
    ['["a", 3]', /^vocab\.json: entry 1 is 3, not a string$/],
    ['["a", "a"]', /'a' appears twice \(ids 0 and 1\)/],
    ['{"a": 0, "b": 0}', /'a' and 'b' share id 0/],
    ['{"a": 0, "b": 5}', /the id of 'b' is 5; ids must be integers 0\.\.1/],
    ['"a"', /expected an array of words or an object/],
  ])('names the problem and the file: %j', (text, message) => {
    expect(() => parseVocabulary(text, { source: 'vocab.json' })).toThrow(message);
    expect(() => parseVocabulary(text, { source: 'vocab.json' })).toThrow(VectorFileError);
  });
});
