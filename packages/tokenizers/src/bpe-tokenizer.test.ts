import { readFileSync } from 'node:fs';
import { dataPath, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { BPETokenizer } from './bpe-tokenizer.js';
import { ConfigError } from './errors.js';
import { hardStrings } from './testing/hard-strings.js';
import { randomText, rng, wellFormed } from './testing/random-text.js';
import { Tokenizer } from './tokenizer.js';

describe('BPETokenizer.train', () => {
  test('the textbook example: merges by count, ties to the smaller pair', () => {
    // One piece "aaabdaaabac": (a,a) occurs 4 times -> "aa"; then "ab" and "aa"+"a" tie at 2 and the smaller
    // pair (a, b) wins; then "aa"+"ab". Everything else occurs once, below minFrequency 2.
    const t = BPETokenizer.train('aaabdaaabac', { vocabSize: 1000 });
    const { model } = t.toJSON();
    expect(model.type === 'BPE' && model.mode === 'merges' && model.merges).toEqual([
      ['a', 'a'],
      ['a', 'b'],
      ['aa', 'ab'],
    ]);
    // Ids: the 4 specials of the convention (<pad> <unk> <bos> <eos>), 256 bytes (byte b -> 4 + b), then
    // merges 260, 261, 262.
    expect(t.specialTokens.map((s) => s.content)).toEqual(['<pad>', '<unk>', '<bos>', '<eos>']);
    expect(t.vocabSize).toBe(263);
    expect(t.encodeIds('aaabdaaabac')).toEqual([262, 4 + 0x64, 262, 4 + 0x61, 4 + 0x63]);
    expect(t.encode('aaab').tokens).toEqual(['aaab']);
  });

  test('vocabSize bounds the number of merges', () => {
    const t = BPETokenizer.train('aaabdaaabac', { vocabSize: 261 });
    expect(t.vocabSize).toBe(261);
    expect(t.encodeIds('aaab')).toEqual([260, 4 + 0x61, 4 + 0x62]);
    expect(() => BPETokenizer.train('x', { vocabSize: 100 })).toThrow(ConfigError);
    expect(() => BPETokenizer.train('x', { vocabSize: 100 })).toThrow(/vocabSize must be an integer >= 260/);
  });

  test('pieces never merge across the pre-tokenization pattern', () => {
    const t = BPETokenizer.train('ab ab ab ab', { vocabSize: 300, specialTokens: [] });
    expect(t.encode('ab ab').tokens).toEqual(['ab', 'Ġab']);
    expect(t.encode(' ab').offsets).toEqual([[0, 3]]);
  });

  test('special tokens come first and are matched only when allowed', () => {
    const t = BPETokenizer.train('hello world', { vocabSize: 300, specialTokens: ['<pad>', '<|end|>'] });
    expect(t.specialTokens).toEqual([
      { id: 0, content: '<pad>' },
      { id: 1, content: '<|end|>' },
    ]);
    expect(t.encodeIds('<|end|>', { allowedSpecial: 'all' })).toEqual([1]);
    expect(t.encodeIds('<|end|>')).not.toContain(1);
    expect(t.decode(t.encodeIds('<|end|>'))).toBe('<|end|>');
  });

  test('is deterministic and survives a JSON round trip', () => {
    const corpus = hardStrings.join('\n');
    const a = BPETokenizer.train(corpus, { vocabSize: 400 });
    const b = BPETokenizer.train(corpus, { vocabSize: 400 });
    expect(b.toJSON()).toEqual(a.toJSON());
    const c = Tokenizer.parse(JSON.stringify(a.toJSON()));
    for (const s of hardStrings) expect(c.encode(s)).toEqual(a.encode(s));
  });

  test('round trip: no <unk> ever; well-formed text decodes exactly, lone surrogates become U+FFFD', () => {
    const t = BPETokenizer.train(hardStrings.join(' '), { vocabSize: 500 });
    const random = rng(7);
    for (let i = 0; i < 300; i++) {
      const text = randomText(random, 1 + Math.floor(random() * 40));
      const ids = t.encodeIds(text);
      expect(t.decode(ids)).toBe(wellFormed(text));
      expect(t.encode(text).ids).toEqual(ids);
    }
    for (const s of hardStrings) expect(t.decode(t.encodeIds(s))).toBe(wellFormed(s));
  });

  describe.skipIf(!hasData('tinyshakespeare', 'input.txt'))('on tiny Shakespeare', () => {
    // describe bodies run while collecting, even when skipped: read only when the data is there.
    const text = hasData('tinyshakespeare', 'input.txt')
      ? readFileSync(dataPath('tinyshakespeare', 'input.txt'), 'utf8')
      : '';
    test('trains 1,000 tokens quickly and compresses', () => {
      const start = performance.now();
      // Three specials, as when the Python reference below was computed (741 merges).
      const specialTokens = ['<pad>', '<bos>', '<eos>'];
      const t = BPETokenizer.train(text, { vocabSize: 1000, pattern: 'gpt2', specialTokens });
      const seconds = (performance.now() - start) / 1000;
      expect(seconds).toBeLessThan(20);
      expect(t.vocabSize).toBe(1000);
      const ids = t.encodeIds(text);
      expect(t.decode(ids)).toBe(text);
      // Checked against a naive Python trainer (full recount per merge, same tie-break): 741 merges,
      // 463,136 tokens, starting with " t", "he", " a", "ou".
      expect(ids.length).toBe(463_136);
      const { model } = t.toJSON();
      expect(model.type === 'BPE' && model.mode === 'merges' && model.merges.slice(0, 4)).toEqual([
        ['Ġ', 't'],
        ['h', 'e'],
        ['Ġ', 'a'],
        ['o', 'u'],
      ]);
      expect(t.encode(' the king').tokens).toEqual(['Ġthe', 'Ġking']);
    });
  });
});
