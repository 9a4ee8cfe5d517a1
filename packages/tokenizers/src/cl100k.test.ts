/**
 * Peer check: Strand's BPE with the cl100k ranks that js-tiktoken ships must give js-tiktoken's ids,
 * in the same test, on all of tiny Shakespeare and on hard Unicode.
 */
import { readFileSync } from 'node:fs';
import { dataPath, hasData } from '@strand/test-utils';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { describe, expect, test } from 'vitest';
import type { BpeModel } from './bpe-model.js';
import { BPETokenizer } from './bpe-tokenizer.js';
import { toHuggingFace, toTiktoken } from './huggingface-export.js';
import { hardStrings } from './testing/hard-strings.js';
import { randomText, rng, wellFormed } from './testing/random-text.js';
import { utf8ByteString } from './utf8.js';

const strand = BPETokenizer.fromTiktoken(cl100k);
const peer = new Tiktoken(cl100k);
/** js-tiktoken throws on special-token text unless told it is ordinary text. */
const peerOrdinary = (text: string) => peer.encode(text, [], []);

describe('cl100k: Strand vs js-tiktoken', () => {
  test('vocabulary and special tokens', () => {
    expect(strand.vocabSize).toBe(100_277);
    expect(strand.specialTokens.map((s) => s.id)).toEqual([100257, 100258, 100259, 100260, 100276]);
    expect(strand.encode('hello world').tokens).toEqual(['hello', 'Ġworld']);
    expect(strand.encodeIds('hello world')).toEqual([15339, 1917]);
  });

  test.each(hardStrings.map((s) => [s]))('hard Unicode: %j', (text) => {
    const expected = peerOrdinary(text);
    expect(strand.encodeIds(text)).toEqual(expected);
    expect(strand.encode(text).ids).toEqual(expected);
    expect(strand.encodeIds(text, { allowedSpecial: 'all' })).toEqual(peer.encode(text, 'all'));
    expect(strand.decode(expected)).toBe(peer.decode(expected));
    expect(strand.decode(expected)).toBe(wellFormed(text));
  });

  test('random mixed-script strings with lone surrogates', () => {
    const random = rng(2024);
    for (let i = 0; i < 500; i++) {
      const text = randomText(random, 1 + Math.floor(random() * 60));
      expect(strand.encodeIds(text)).toEqual(peerOrdinary(text));
    }
  });

  test('offsets: every token covers its bytes, in order, in the original text', () => {
    const bytesOf = (id: number) => (strand.pipeline.model as BpeModel).bytesOf(id)!;
    for (const text of hardStrings) {
      const { ids, offsets } = strand.encode(text);
      let all = '';
      let lastEnd = 0;
      for (let k = 0; k < ids.length; k++) {
        const [start, end] = offsets[k]!;
        expect(start).toBeLessThan(end);
        expect(start).toBeGreaterThanOrEqual(lastEnd - 2); // only a shared (split) character overlaps
        expect(utf8ByteString(text.slice(start, end))).toContain(bytesOf(ids[k]!));
        all += bytesOf(ids[k]!);
        lastEnd = end;
      }
      expect(lastEnd).toBe(text.length);
      expect(all).toBe(utf8ByteString(text));
    }
    // A 4-byte emoji split over two tokens: both cover the whole character.
    const enc = strand.encode('🦜');
    expect(enc.ids.length).toBeGreaterThan(1);
    expect(new Set(enc.offsets.map(([s, e]) => `${s},${e}`))).toEqual(new Set(['0,2']));
  });

  test('special tokens: plain text unless allowed, as in tiktoken', () => {
    const text = 'a<|endoftext|>b';
    expect(strand.encodeIds(text)).toEqual(peerOrdinary(text));
    expect(strand.encodeIds(text, { allowedSpecial: ['<|endoftext|>'] })).toEqual([64, 100257, 65]);
    expect(strand.encodeIds(text, { allowedSpecial: ['<|endoftext|>'] })).toEqual(
      peer.encode(text, ['<|endoftext|>']),
    );
    expect(strand.decode([64, 100257, 65])).toBe(text);
    expect(strand.decode([64, 100257, 65], { skipSpecialTokens: true })).toBe('ab');
  });

  test('ids that name nothing are rejected (100256 is a hole between ranks and specials)', () => {
    expect(() => strand.decode([100256])).toThrow(
      /token id at index 0: expected an integer in \[0, 100277\), received 100256/,
    );
    expect(() => strand.decode([100277])).toThrow(/received 100277/);
  });

  test('.tiktoken file round trip', () => {
    const file = toTiktoken(strand);
    expect(file.split('\n')[0]).toBe('IQ== 0');
    expect(file.split('\n').length).toBe(100_257);
    const loaded = BPETokenizer.fromTiktoken(file, {
      pattern: 'cl100k',
      specialTokens: cl100k.special_tokens,
    });
    for (const text of hardStrings) expect(loaded.encodeIds(text)).toEqual(strand.encodeIds(text));
    expect(loaded.toJSON()).toEqual(strand.toJSON());
  });

  describe.skipIf(!hasData('tinyshakespeare', 'input.txt'))('all of tiny Shakespeare', () => {
    // describe bodies run while collecting, even when skipped: read only when the data is there.
    const text = hasData('tinyshakespeare', 'input.txt')
      ? readFileSync(dataPath('tinyshakespeare', 'input.txt'), 'utf8')
      : '';
    const expected = peerOrdinary(text);

    test('identical ids (encodeIds and encode), exact decode', () => {
      expect(expected.length).toBe(301_829);
      expect(strand.encodeIds(text)).toEqual(expected);
      const enc = strand.encode(text);
      expect(enc.ids).toEqual(expected);
      expect(enc.offsets.at(-1)![1]).toBe(text.length);
      expect(strand.decode(expected)).toBe(text);
    });

    test('HF tokenizer.json export (merges derived from ranks) gives the same ids', () => {
      const hf = JSON.parse(JSON.stringify(toHuggingFace(strand)));
      expect(hf.model.merges.length).toBe(100_256 - 256);
      expect(hf.model.merges[0]).toEqual(['Ġ', 'Ġ']);
      const loaded = BPETokenizer.fromHuggingFace(hf);
      expect(loaded.toJSON().model).toMatchObject({ type: 'BPE', mode: 'merges' });
      expect(loaded.encodeIds(text)).toEqual(expected);
      for (const s of hardStrings) expect(loaded.encodeIds(s)).toEqual(peerOrdinary(s));
      expect(utf8ByteString(loaded.decode(expected))).toBe(utf8ByteString(text));
    });
  });
});
