import { readFileSync } from 'node:fs';
import { dataPath, hasData } from '@strand/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyedVectors } from '../keyed-vectors.js';
import { type SkipGramProgress, trainSkipGram } from './skipgram.js';
import { countWords, unigramTable } from './word-counts.js';

/** A toy corpus with two kinds of words that never share contexts: animals and numbers. */
function toyCorpus(): string[][] {
  const out: string[][] = [];
  const animals = ['cat', 'dog', 'cow', 'pig'];
  const numbers = ['one', 'two', 'six', 'ten'];
  for (let i = 0; i < 400; i++) {
    const a = animals[i % 4]!;
    const n = numbers[(i * 7) % 4]!;
    out.push(['the', a, 'eats', 'grass', 'and', 'the', animals[(i + 1) % 4]!, 'sleeps']);
    out.push(['count', n, 'plus', numbers[(i + 3) % 4]!, 'equals', 'sum', n]);
  }
  return out;
}

describe('vocabulary and negative table', () => {
  it('sorts by count then alphabetically and drops rare words', () => {
    const v = countWords([['b', 'a', 'c', 'a', 'b', 'd'], ['c']], { minCount: 2 });
    expect(v.words).toEqual(['a', 'b', 'c']);
    expect(Array.from(v.counts)).toEqual([2, 2, 2]);
  });

  it('fills the table in proportion to count^0.75', () => {
    const table = unigramTable(Int32Array.of(16, 1), 10_000);
    const share = table.filter((i) => i === 0).length / table.length;
    expect(share).toBeCloseTo(8 / 9, 2); // 16^0.75 = 8, 1^0.75 = 1
  });
});

describe('trainSkipGram', () => {
  it('is deterministic for a seed and separates words that never share contexts', async () => {
    const corpus = toyCorpus();
    const progress: SkipGramProgress[] = [];
    const a = await trainSkipGram(corpus, {
      dim: 16,
      epochs: 3,
      minCount: 1,
      sample: 0,
      seed: 4,
      progressEvery: 2000,
      onProgress: (p) => progress.push(p),
    });
    const b = await trainSkipGram(corpus, { dim: 16, epochs: 3, minCount: 1, sample: 0, seed: 4 });
    const c = await trainSkipGram(corpus, { dim: 16, epochs: 3, minCount: 1, sample: 0, seed: 5 });
    expect(a.words).toEqual(b.words);
    expect(a.vectors).toEqual(b.vectors);
    expect(a.vectors).not.toEqual(c.vectors);
    // Each animal is nearer to every other animal than to any number, and the other way round.
    const animals = ['cat', 'dog', 'cow', 'pig'];
    const numbers = ['one', 'two', 'six', 'ten'];
    for (const [group, others] of [
      [animals, numbers],
      [numbers, animals],
    ] as const) {
      for (const w of group) {
        const inside = Math.min(...group.filter((g) => g !== w).map((g) => a.similarity(w, g)));
        const outside = Math.max(...others.map((o) => a.similarity(w, o)));
        expect(inside, w).toBeGreaterThan(outside);
      }
    }
    const total = corpus.reduce((n, s) => n + s.length, 0) * 3;
    expect(progress.at(-1)).toMatchObject({ wordsProcessed: total, totalWords: total, epoch: 2 });
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.every((p) => p.wordsPerSecond > 0 && Number.isFinite(p.loss))).toBe(true);
    expect(progress[1]!.learningRate).toBeLessThan(progress[0]!.learningRate);
    expect(progress.at(-1)!.loss).toBeLessThan(progress[0]!.loss);
  });

  it('rejects bad options and an empty vocabulary', async () => {
    await expect(trainSkipGram([['a']], { seed: 0, dim: 0 })).rejects.toThrow(
      'dim must be a positive integer, received 0',
    );
    await expect(trainSkipGram([['a']], { seed: 0 })).rejects.toThrow(/the vocabulary is empty/);
  });
});

/** The words of tiny Shakespeare: lower case, apostrophes kept inside words. */
function shakespeareWords(): string[] {
  const text = readFileSync(dataPath('tinyshakespeare', 'input.txt'), 'utf8');
  return text.toLowerCase().match(/[a-z]+(?:'[a-z]+)?/g) ?? [];
}

const NUMBERS = [
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'twenty',
  'hundred',
  'thousand',
  'dozen',
];

describe.skipIf(!hasData('tinyshakespeare', 'input.txt'))('skip-gram on tiny Shakespeare', () => {
  let kv: KeyedVectors;
  let speed = 0;
  beforeAll(async () => {
    const words = shakespeareWords();
    kv = await trainSkipGram(words, {
      dim: 50,
      epochs: 5,
      seed: 1,
      progressEvery: 1e6,
      onProgress: (p) => (speed = p.wordsPerSecond),
    });
    console.log(
      `skip-gram: ${words.length} words × 5 epochs, ${kv.size} in the vocabulary, ${Math.round(speed)} words/s`,
    );
  }, 180_000);

  const near = (word: string, k = 10) => kv.mostSimilar(word, k).map((n) => n.word);

  it('puts kings next to kings: edward, henry and richard are among the 10 nearest to king', () => {
    expect(near('king')).toEqual(expect.arrayContaining(['edward', 'henry', 'richard']));
  });

  it('groups number words', () => {
    // Number words are rare here, so how tightly they cluster varies with the seed: with base's Rng,
    // seeds 2 and 3 put 4-6 numbers among the 10 nearest of 'two' and of 'three', seeds 1 and 4 only 1-4
    // (the old "at least 3 each, 'three' in the top 3" held only for some seeds). What holds for every seed
    // tried: at least 3 of the 20 neighbours of 'two' and 'three' are number words; chance gives about 0.1.
    const numbers = ['two', 'three'].flatMap((n) => near(n).filter((w) => NUMBERS.includes(w)));
    expect(numbers.length).toBeGreaterThanOrEqual(3);
  });

  it('groups pronouns and possessives: she/he, her/she, thy/thine, my/your', () => {
    expect(near('she', 5)).toContain('he');
    expect(near('her', 2)).toContain('she');
    expect(near('thy', 2)).toContain('thine');
    expect(near('my', 5)).toContain('your');
  });
});
