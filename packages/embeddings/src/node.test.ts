import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VectorFileError } from './errors.js';
import { KeyedVectors } from './keyed-vectors.js';
import { readVectorsFile, readVocabularyFile, writeVectorsFile } from './node.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strand-embeddings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 3,000 words × 16 dims: several 1 MiB read chunks for the text formats. */
function bigVectors(): KeyedVectors {
  const words = Array.from({ length: 3000 }, (_, i) => `word${i}`);
  const v = Float32Array.from({ length: 3000 * 16 }, (_, i) => Math.fround(Math.sin(i) * 1000) / 7);
  return new KeyedVectors(words, v, 16);
}

describe('vector files', () => {
  it.each(['glove', 'word2vec', 'word2vec-binary'] as const)(
    'writes and streams back %s exactly',
    async (format) => {
      const kv = bigVectors();
      const path = join(dir, `v.${format}`);
      await writeVectorsFile(path, kv, { format });
      const back = await readVectorsFile(path, { format });
      expect(back.words).toEqual(kv.words);
      expect(back.vectors).toEqual(kv.vectors);
      expect(back.mostSimilar('word7', 3)).toEqual(kv.mostSimilar('word7', 3));
    },
  );

  it('names the file and line of a dimension mismatch', async () => {
    const path = join(dir, 'bad.txt');
    await writeFile(path, 'a 1 2 3\nb 1 2 3\nc 1 2\n');
    const error = await readVectorsFile(path, { format: 'glove' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VectorFileError);
    expect((error as VectorFileError).message).toBe(
      `GloVe ${path}:3: expected a word and 3 values (the dimension of the first vector), found 2 values`,
    );
    expect((error as VectorFileError).line).toBe(3);
  });

  it('names the file and byte offset of a truncated binary file', async () => {
    const path = join(dir, 'cut.bin');
    await writeVectorsFile(path, new KeyedVectors(['a', 'b'], Float32Array.of(1, 2, 3, 4), 2), {
      format: 'word2vec-binary',
    });
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 4)); // the newline and 3 bytes of the last float
    await expect(readVectorsFile(path, { format: 'word2vec-binary' })).rejects.toThrow(
      `word2vec binary ${path} byte ${bytes.length - 4}: truncated: the header declares 2 vectors of dimension 2 (at least 20 bytes), but only 18 bytes follow it`,
    );
  });

  it('keeps the old file when a write fails, and leaves no temporary file', async () => {
    const path = join(dir, 'keep.txt');
    await writeFile(path, 'old 1\n');
    const bad = new KeyedVectors(['ok', 'not ok'], Float32Array.of(1, 2), 1);
    await expect(writeVectorsFile(path, bad, { format: 'glove' })).rejects.toThrow(/cannot be written/);
    expect(await readFile(path, 'utf8')).toBe('old 1\n');
    expect((await readdir(dir)).filter((f) => f.includes('keep.txt'))).toEqual(['keep.txt']);
  });

  it('reads a JSON vocabulary, naming the file and line of malformed JSON', async () => {
    const good = join(dir, 'vocab.json');
    await writeFile(good, '{"<pad>": 0, "the": 1}');
    expect(await readVocabularyFile(good)).toEqual(['<pad>', 'the']);
    const bad = join(dir, 'broken.json');
    await writeFile(bad, '[\n"a",\n"b"\n"c"]');
    await expect(readVocabularyFile(bad)).rejects.toThrow(
      new RegExp(`^vocabulary JSON ${bad}:4:\\d+: invalid JSON`),
    );
  });
});
