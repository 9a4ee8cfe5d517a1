import { createVocabulary, EOS_ID } from '@strand/base';
import { describe, expect, it } from 'vitest';
import { computePrefixes, continuationCounts, countNgrams } from './ngram-counts.js';
import { NgramLevel } from './ngram-level.js';

describe('NgramLevel', () => {
  it('inserts and finds integer-keyed n-grams, growing as needed', () => {
    const level = new NgramLevel(4);
    const ids = new Map<string, number>();
    for (let a = 0; a < 100; a++) {
      for (let b = 0; b < 50; b++) ids.set(`${a},${b}`, level.insert(a, b * 7919));
    }
    expect(level.size).toBe(5000);
    for (let a = 0; a < 100; a++)
      for (let b = 0; b < 50; b++) expect(level.find(a, b * 7919)).toBe(ids.get(`${a},${b}`));
    expect(level.find(100, 0)).toBe(-1);
    expect(level.insert(3, 7919)).toBe(ids.get('3,1'));
  });
});

/** Boundaries as KenLM and nltk spell them. */
const arpaSpelling = (t: string): string => (t === '<bos>' ? '<s>' : t === '<eos>' ? '</s>' : t);

describe('countNgrams', () => {
  it('counts every n-gram of the padded sentences, as a brute-force string count does', () => {
    const sentences = [
      ['a', 'b', 'a', 'b'],
      ['b', 'a', 'c'],
      ['a', 'b'],
    ];
    const vocab = createVocabulary(['a', 'b', 'c']);
    const counts = countNgrams(
      sentences.map((s) => vocab.encode(s)),
      3,
      vocab.size,
    );
    // brute force over strings
    const expected = new Map<string, number>();
    for (const s of sentences) {
      const p = ['<s>', ...s, '</s>'];
      for (let i = 0; i < p.length; i++) {
        for (let k = 1; k <= 3 && i - k + 1 >= 0; k++) {
          const key = p.slice(i - k + 1, i + 1).join(' ');
          expected.set(key, (expected.get(key) ?? 0) + 1);
        }
      }
    }
    const got = new Map<string, number>();
    const words = (k: number, id: number): string[] => {
      if (k === 1) return [arpaSpelling(vocab.token(id))];
      const level = counts.levels[k - 1]!;
      return [arpaSpelling(vocab.token(level.first[id]!)), ...words(k - 1, level.back[id]!)];
    };
    for (let k = 1; k <= 3; k++) {
      for (let id = 0; id < counts.levels[k - 1]!.size; id++) {
        const c = counts.counts[k - 1]![id]!;
        if (c > 0) got.set(words(k, id).join(' '), c);
      }
    }
    expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
    // prefixes and continuation counts
    const prefixes = computePrefixes(counts.levels);
    const abId = counts.levels[1]!.find(vocab.id('b'), vocab.id('a'));
    const abaId = counts.levels[2]!.find(counts.levels[1]!.find(vocab.id('a'), vocab.id('b')), vocab.id('a'));
    expect(prefixes[2]![abaId]).toBe(abId); // prefix of "a b a" is "a b"
    const cont = continuationCounts(counts.levels[1]!, vocab.size);
    // distinct left neighbours: b <- {a, <s>}; a <- {<s>, b}; </s> <- {b, c}; c <- {a}
    expect(cont[vocab.id('b')]).toBe(2);
    expect(cont[vocab.id('a')]).toBe(2);
    expect(cont[EOS_ID]).toBe(2);
    expect(cont[vocab.id('c')]).toBe(1);
  });
});
