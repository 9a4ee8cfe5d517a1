import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPath, hasData } from '@strand/test-utils';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { afterAll, describe, expect, test } from 'vitest';
import { BPETokenizer } from './bpe-tokenizer.js';
import { CharTokenizer } from './char-tokenizer.js';
import { FormatError } from './errors.js';
import { encodeFile, loadTokenizer, saveTokenizer } from './node.js';
import { hardStrings } from './testing/hard-strings.js';
import type { Tokenizer } from './tokenizer.js';
import { WordTokenizer } from './word-tokenizer.js';

const dir = mkdtempSync(join(tmpdir(), 'strand-tokenizers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(chunks: AsyncIterable<number[]>): Promise<number[]> {
  const ids: number[] = [];
  for await (const batch of chunks) ids.push(...batch);
  return ids;
}

const cl = BPETokenizer.fromTiktoken(cl100k);

describe('saveTokenizer / loadTokenizer', () => {
  test.each<[string, Tokenizer]>([
    ['char', CharTokenizer.train('hello world', { addBos: true })],
    ['word', WordTokenizer.train('The cat sat. The dog sat.', { lowercase: true, unknown: 'error' })],
    ['bpe', BPETokenizer.train(hardStrings.join(' '), { vocabSize: 300 })],
  ])('%s: Strand JSON round trip', async (name, tokenizer) => {
    const path = join(dir, `${name}.json`);
    await saveTokenizer(tokenizer, path);
    const loaded = await loadTokenizer(path);
    expect(loaded.toJSON()).toEqual(tokenizer.toJSON());
    expect(loaded.encode('the cat sat.')).toEqual(tokenizer.encode('the cat sat.'));
  });

  test('HF tokenizer.json and .tiktoken formats', async () => {
    const trained = BPETokenizer.train(hardStrings.join(' '), { vocabSize: 300 });
    await saveTokenizer(trained, join(dir, 'tokenizer.json'), { format: 'huggingface' });
    const hf = await loadTokenizer(join(dir, 'tokenizer.json'));
    expect(hf.toJSON()).toEqual(trained.toJSON());

    await saveTokenizer(cl, join(dir, 'cl100k_base.tiktoken'), { format: 'tiktoken' });
    const ranks = await loadTokenizer(join(dir, 'cl100k_base.tiktoken'), {
      pattern: 'cl100k',
      specialTokens: cl100k.special_tokens,
    });
    for (const s of hardStrings) expect(ranks.encodeIds(s)).toEqual(cl.encodeIds(s));
  });

  test('writes atomically: replaces the old file and leaves no temporary file', async () => {
    const path = join(dir, 'atomic.json');
    writeFileSync(path, 'old contents');
    await saveTokenizer(CharTokenizer.train('x'), path);
    expect(JSON.parse(readFileSync(path, 'utf8')).format).toBe('strand-tokenizer');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(saveTokenizer(CharTokenizer.train('x'), join(dir, 'missing', 'a.json'))).rejects.toThrow(
      /ENOENT/,
    );
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('errors name the file, line and column', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{\n  "format": "strand-tokenizer",\n  "version": 1\n  "model": {}\n}\n');
    await expect(loadTokenizer(path)).rejects.toThrow(FormatError);
    await expect(loadTokenizer(path)).rejects.toThrow(
      `${path}:4:3: malformed JSON: expected ',' or '}' after the property value`,
    );

    writeFileSync(path, JSON.stringify({ ...CharTokenizer.train('a').toJSON(), version: 9 }));
    await expect(loadTokenizer(path)).rejects.toThrow(`${path} at version: unsupported version 9`);

    writeFileSync(path, '{"vocab": {}}');
    await expect(loadTokenizer(path)).rejects.toThrow(`${path}: expected a Strand tokenizer`);

    const ranks = join(dir, 'bad.tiktoken');
    writeFileSync(ranks, 'IQ== 0\nIg== one\n');
    await expect(loadTokenizer(ranks, { pattern: 'cl100k' })).rejects.toThrow(
      `${ranks}:2:6: expected a rank`,
    );
  });
});

describe('encodeFile', () => {
  test('multi-byte characters split across read chunks', async () => {
    const text = hardStrings.join('\n');
    const path = join(dir, 'hard.txt');
    writeFileSync(path, text, 'utf8');
    const expected = cl.encodeIds(readFileSync(path, 'utf8'));
    for (const chunkSize of [1, 3, 64])
      expect(await collect(encodeFile(cl, path, { chunkSize }))).toEqual(expected);
  });

  test.skipIf(!hasData('tinyshakespeare', 'input.txt'))(
    'tiny Shakespeare in 4 KiB chunks equals one piece',
    async () => {
      const path = dataPath('tinyshakespeare', 'input.txt');
      const expected = cl.encodeIds(readFileSync(path, 'utf8'));
      const ids = await collect(encodeFile(cl, path, { chunkSize: 4096 }));
      expect(ids.length).toBe(301_829);
      expect(ids).toEqual(expected);
    },
  );
});
