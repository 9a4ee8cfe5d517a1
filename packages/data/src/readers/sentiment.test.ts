import { readFileSync } from 'node:fs';
import { dataPath, fuzzReader, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { corpusFromFileName, parseSentiment, parseSentimentFile, serializeSentiment } from './sentiment.js';

describe('parseSentimentFile', () => {
  test('sentence, 0/1 label, corpus from the file name; trailing spaces before the tab dropped', () => {
    expect(
      parseSentimentFile('A very slow movie.  \t0\nLoved it.\t1\n', {
        source: 'sentiment/imdb_labelled.txt',
      }),
    ).toEqual([
      { text: 'A very slow movie.', label: 0, source: 'imdb' },
      { text: 'Loved it.', label: 1, source: 'imdb' },
    ]);
    expect(corpusFromFileName('amazon_cells_labelled.txt')).toBe('amazon_cells');
  });

  test('errors name the file and line', () => {
    expect(() => parseSentimentFile('Good.\t1\nBad.\t2\n', { source: 'yelp_labelled.txt' })).toThrow(
      'sentiment yelp_labelled.txt:2: expected the label 0 or 1, received "2"',
    );
    expect(() => parseSentimentFile('Good.\t1\tx\n', { source: 'y.txt' })).toThrow(
      /y\.txt:1: expected 2 tab-separated columns/,
    );
    expect(() => parseSentimentFile('  \t1\n', { source: 'y.txt' })).toThrow(
      /y\.txt:1: the sentence is empty/,
    );
    expect(() => parseSentimentFile('Good.\t 1\n')).toThrow(/received " 1"/);
  });

  test('round trip and several files', () => {
    const examples = [
      { text: 'Crust is not good.', label: 0 as const },
      { text: 'Wow... Loved this place.', label: 1 as const },
    ];
    expect(parseSentimentFile(serializeSentiment(examples), { corpus: 'yelp' })).toEqual(
      examples.map((e) => ({ ...e, source: 'yelp' })),
    );
    const both = parseSentiment([
      { name: 'yelp_labelled.txt', content: 'a\t1\n' },
      { name: 'imdb_labelled.txt', content: 'b\t0\n' },
    ]);
    expect(both.map((e) => e.source)).toEqual(['yelp', 'imdb']);
    expect(() =>
      parseSentiment([
        { name: 'a/yelp_labelled.txt', content: 'a\t1' },
        { name: 'b/yelp_labelled.txt', content: 'a\t1' },
      ]),
    ).toThrow(/one file per corpus/);
  });

  test('fuzz: 600 mutations, only StrandErrors; accepted labels are 0/1', async () => {
    const input =
      'Good case, Excellent value.\t1\nGreat for the jawbone.\t1\nTied to charger for conversations lasting more than 45 minutes.MAJOR PROBLEMS!!\t0\n';
    const report = await fuzzReader({
      input,
      count: 600,
      read: (bytes) => parseSentimentFile(bytes, { source: 'amazon_cells_labelled.txt' }),
      reference: (bytes) =>
        new TextDecoder('utf-8', { fatal: true })
          .decode(bytes)
          .replace(/^\uFEFF/, '')
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => {
            const [text, label] = l.replace(/\r$/, '').split('\t');
            if (label !== '0' && label !== '1') throw new Error('label');
            return { text: text!.trimEnd(), label: Number(label), source: 'amazon_cells' };
          }),
    });
    expect(report.rejected).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(0);
  });
});

describe.skipIf(!hasData('sentiment', 'imdb_labelled.txt'))('sentiment (shared data)', () => {
  test('3,000 sentences: 500 positive and 500 negative per source', () => {
    const files = ['amazon_cells', 'imdb', 'yelp'].map((s) => `${s}_labelled.txt`);
    const examples = parseSentiment(
      files.map((f) => ({ name: f, content: readFileSync(dataPath('sentiment', f)) })),
    );
    expect(examples).toHaveLength(3000);
    for (const source of ['amazon_cells', 'imdb', 'yelp']) {
      for (const label of [0, 1])
        expect(examples.filter((e) => e.source === source && e.label === label)).toHaveLength(500);
    }
  });
});
