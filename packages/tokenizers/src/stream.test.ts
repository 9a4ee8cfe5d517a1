import { readFileSync } from 'node:fs';
import { dataPath, hasData } from '@strand/test-utils';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { describe, expect, test } from 'vitest';
import { BPETokenizer } from './bpe-tokenizer.js';
import { CharTokenizer } from './char-tokenizer.js';
import type { EncodeOptions } from './encode.js';
import { StreamEndedError, VocabularyError } from './errors.js';
import { hardStrings } from './testing/hard-strings.js';
import { rng } from './testing/random-text.js';
import type { Tokenizer } from './tokenizer.js';
import { WordTokenizer } from './word-tokenizer.js';

const cl = BPETokenizer.fromTiktoken(cl100k);
const shakespeare = hasData('tinyshakespeare', 'input.txt')
  ? readFileSync(dataPath('tinyshakespeare', 'input.txt'), 'utf8')
  : hardStrings.join('\n').repeat(20);

/** Encodes `chunks` with the push API (synchronous) and concatenates everything. */
function streamed(tokenizer: Tokenizer, chunks: readonly string[], options?: EncodeOptions): number[] {
  const encoder = tokenizer.streamEncoder(options);
  const ids: number[] = [];
  for (const chunk of chunks) ids.push(...encoder.push(chunk));
  ids.push(...encoder.end());
  return ids;
}

function chunksOf(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function randomChunks(text: string, seed: number, maxSize: number): string[] {
  const random = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = 1 + Math.floor(random() * maxSize);
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

const hard = hardStrings.join('');
const tokenizers: [string, Tokenizer][] = [
  ['cl100k', cl],
  [
    'char + NFC',
    CharTokenizer.train(shakespeare + hard, { normalizer: { type: 'NFC' }, addBos: true, addEos: true }),
  ],
  [
    'word + NFKC + lowercase',
    WordTokenizer.train(shakespeare, { normalization: 'NFKC', lowercase: true, addEos: true }),
  ],
  [
    'trained BPE (gpt2 pattern)',
    BPETokenizer.train(shakespeare.slice(0, 100_000), { vocabSize: 600, pattern: 'gpt2' }),
  ],
  [
    'trained BPE (o200k pattern)',
    BPETokenizer.train(shakespeare.slice(0, 50_000) + hard, { vocabSize: 500, pattern: 'o200k' }),
  ],
];

describe('stream encoding equals whole-text encoding', () => {
  test.each(tokenizers)('%s: hard strings split at every position, and one code unit at a time', (_, t) => {
    for (const text of hardStrings) {
      const whole = t.encodeIds(text);
      for (let cut = 0; cut <= text.length; cut++) {
        expect(streamed(t, [text.slice(0, cut), text.slice(cut)])).toEqual(whole);
      }
      expect(streamed(t, chunksOf(text, 1))).toEqual(whole);
    }
  });

  test.each(tokenizers)('%s: a Shakespeare slice in random chunks', (_, t) => {
    const text = shakespeare.slice(0, 30_000) + hard;
    const whole = t.encodeIds(text);
    for (const seed of [1, 2, 3]) expect(streamed(t, randomChunks(text, seed, 40))).toEqual(whole);
    expect(streamed(t, chunksOf(text, 1))).toEqual(whole);
  });

  test('cl100k on all of the text in 64 KiB, 1000 and 97 unit chunks', async () => {
    const whole = cl.encodeIds(shakespeare);
    for (const size of [65_536, 1000, 97]) expect(streamed(cl, chunksOf(shakespeare, size))).toEqual(whole);
    // The async generator API, fed by an async iterable.
    async function* source() {
      for (const chunk of chunksOf(shakespeare, 4096)) yield chunk;
    }
    const ids: number[] = [];
    for await (const batch of cl.encodeStream(source())) ids.push(...batch);
    expect(ids).toEqual(whole);
  });

  test('special tokens split across chunks are recognised when allowed', () => {
    const text = 'a<|endoftext|>b <|endof text|> <|endoftext|';
    const options: EncodeOptions = { allowedSpecial: 'all' };
    const whole = cl.encodeIds(text, options);
    expect(whole.filter((id) => id === 100257).length).toBe(1);
    for (let cut = 0; cut <= text.length; cut++) {
      expect(streamed(cl, [text.slice(0, cut), text.slice(cut)], options)).toEqual(whole);
    }
    expect(streamed(cl, chunksOf(text, 1), options)).toEqual(whole);
    expect(streamed(cl, chunksOf(text, 1))).toEqual(cl.encodeIds(text));
  });

  test('ids are released before the end (bounded buffering)', () => {
    const encoder = cl.streamEncoder();
    const first = encoder.push('The quick brown fox jumps over the lazy dog. '.repeat(20));
    expect(first.length).toBeGreaterThan(150);
    expect([...first, ...encoder.end()]).toEqual(
      cl.encodeIds('The quick brown fox jumps over the lazy dog. '.repeat(20)),
    );
  });

  test('unknown characters in a stream name their position in the whole stream', () => {
    const strict = CharTokenizer.train('abc ', { unknown: 'error', normalizer: { type: 'NFKC' } });
    const encoder = strict.streamEncoder();
    encoder.push('abc abc ');
    expect(() => {
      encoder.push('ａｂ cx');
      encoder.end();
    }).toThrow(VocabularyError);
    const again = strict.streamEncoder();
    let error: unknown;
    try {
      again.push('abc abc ');
      again.push('ａｂ cx');
      again.end();
    } catch (e) {
      error = e;
    }
    expect((error as VocabularyError).token).toBe('x');
    expect((error as VocabularyError).position).toBe(12);
  });

  test('push after end is an error', () => {
    const encoder = cl.streamEncoder();
    encoder.end();
    expect(() => encoder.push('x')).toThrow(StreamEndedError);
    expect(() => encoder.end()).toThrow(StreamEndedError);
  });
});
