import { Vocabulary } from '@strand/base';
import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { parseVocabulary } from './vocabulary-json.js';

describe('parseVocabulary', () => {
  it('reads an array of words or an object of word → id', () => {
    expect(parseVocabulary('["<pad>", "the", "cat"]')).toEqual(['<pad>', 'the', 'cat']);
    expect(parseVocabulary('{"cat": 2, "<pad>": 0, "the": 1}')).toEqual(['<pad>', 'the', 'cat']);
  });

  it("reads base's Vocabulary JSON (the <pad> <unk> <bos> <eos> convention) and strict UTF-8 bytes", () => {
    const vocab = new Vocabulary(['<pad>', '<unk>', '<bos>', '<eos>', 'the', 'über']);
    expect(parseVocabulary(JSON.stringify(vocab))).toEqual(vocab.tokens);
    const bytes = new TextEncoder().encode(JSON.stringify(vocab));
    expect(parseVocabulary(bytes)).toEqual(vocab.tokens);
    const bad = Uint8Array.of(...new TextEncoder().encode('["a", "'), 0xc3, 0x28, 0x22, 0x5d);
    expect(() => parseVocabulary(bad, { source: 'v.json' })).toThrow(
      /^vocabulary JSON v\.json byte 7: invalid UTF-8/,
    );
    expect(parseVocabulary(bad, { replaceInvalidUtf8: true })).toEqual(['a', '\ufffd(']);
  });

  it.each([
    ['{\n  "a": 0,\n  "b": 1,\n}', /^vocabulary JSON vocab\.json:4:1: invalid JSON/],
    ['["a", 3]', /^vocabulary JSON vocab\.json at \$\[1\]: expected a string, got the number 3$/],
    ['["a", "a"]', /at \$\[1\]: expected a word not seen before \('a' is also id 0\)/],
    ['{"a": 0, "b": 0}', /at \$\["b"\]: expected an id no other word has \('a' also has id 0\)/],
    ['{"a": 0, "b": 5}', /at \$\["b"\]: expected an integer in \[0, 1\], got the number 5/],
    ['{"a": 0, "b": 4294967296}', /expected an integer in \[0, 1\], got the number 4294967296/],
    ['"a"', /expected an object, got a string "a"/],
    ['[[["a"]]]', /nesting deeper than 2 levels/],
    ['{"version": 1, "type": "Vocabulary", "tokens": ["a"]}', /vocabulary JSON vocab\.json at \$\.tokens/],
  ])('names the problem and the file: %j', (text, message) => {
    expect(() => parseVocabulary(text, { source: 'vocab.json' })).toThrow(message);
    expect(() => parseVocabulary(text, { source: 'vocab.json' })).toThrow(FormatError);
  });
});
