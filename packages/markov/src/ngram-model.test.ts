import { BOS_ID, createVocabulary, InputError, PAD_ID, Rng } from '@strand/base';
import { describe, expect, it } from 'vitest';
import { close } from '../test/helpers.js';
import { ReferenceLm } from '../test/ngram-reference.js';
import type { NgramSmoothing } from './ngram-smoothing.js';
import { trainNgramLm } from './ngram-train.js';

/** Sentences of Zipf-distributed words w0..w{n-1}, deterministic. */
function corpus(numSentences: number, numWords: number, seed: number): string[][] {
  const rng = new Rng(seed);
  const weights = Array.from({ length: numWords }, (_, i) => (i + 1) ** -1.5);
  return Array.from({ length: numSentences }, () => {
    const len = 1 + rng.int(7);
    const s: string[] = [];
    for (let i = 0; i < len; i++) {
      // a little sequential structure: the next word often follows the previous one
      const prev = s.length > 0 ? Number(s[s.length - 1]!.slice(1)) : -1;
      s.push(`w${prev >= 0 && rng.float() < 0.3 ? (prev + 1) % numWords : rng.categorical(weights)}`);
    }
    return s;
  });
}

const train = corpus(500, 80, 1);
/** The reference spells boundaries as KenLM does (<s>, </s>); Strand's vocabulary as <bos>, <eos>. */
const toLm = (w: string): string => (w === '<s>' ? '<bos>' : w === '</s>' ? '<eos>' : w);
const words = Array.from({ length: 80 }, (_, i) => `w${i}`);

/** Every context of length 0..order-1 seen in training, plus a few unseen and unknown ones. */
function contexts(sentences: string[][], order: number): string[][] {
  const out = new Map<string, string[]>();
  for (const s of sentences) {
    const p = ['<s>', ...s];
    for (let i = 0; i <= p.length; i++) {
      for (let k = 0; k < order && i - k >= 0; k++) {
        const h = p.slice(i - k, i);
        if (h.length === 0 || h[0] === '<s>' || !h.includes('<s>')) out.set(h.join(' '), h);
      }
    }
  }
  // the empty context, contexts starting at <s>, and a deterministic sixth of the others
  const all = [...out.values()].filter((h, i) => h.length === 0 || h[0] === '<s>' || i % 6 === 0);
  all.push(['w79', 'w79', 'w79'], ['w3', 'zzz'], ['<s>', 'qqq']);
  return all;
}

const methods: [string, NgramSmoothing][] = [
  ['mle', { kind: 'mle' }],
  ['add-one', { kind: 'add-k', k: 1 }],
  ['add-0.1', { kind: 'add-k', k: 0.1 }],
  ['witten-bell', { kind: 'witten-bell' }],
  ['kneser-ney', { kind: 'kneser-ney' }],
  ['kneser-ney fixed', { kind: 'kneser-ney', discount: 0.75 }],
  ['modified-kneser-ney', { kind: 'modified-kneser-ney' }],
  [
    'modified-kneser-ney fixed',
    {
      kind: 'modified-kneser-ney',
      discounts: [
        [0.5, 1, 1.5],
        [0.6, 1.1, 1.4],
        [0.7, 1.2, 1.3],
      ],
    },
  ],
  ['stupid-backoff', { kind: 'stupid-backoff' }],
];

describe.each(methods)('n-gram LM with %s', (_name, smoothing) => {
  const order = 3;
  const lm = trainNgramLm(train, { order, smoothing });
  const ref = new ReferenceLm(train, order, smoothing, lm.vocabulary.tokens.slice(4) as string[]);

  it('matches a brute-force string-map implementation for every context and word', () => {
    let checked = 0;
    for (const h of contexts(train, order)) {
      const hRef = h.map((w) => (w === '<s>' || lm.vocabulary.has(w) ? w : '<unk>'));
      for (const w of ref.vocab) {
        const expected = Math.log(ref.p(hRef, w));
        const got = lm.wordLogProb(h.map(toLm), toLm(w));
        if (expected === Number.NEGATIVE_INFINITY) expect(got).toBe(Number.NEGATIVE_INFINITY);
        else close(got, expected, 1e-12, 1e-12);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  const normalised = smoothing.kind !== 'stupid-backoff';
  it(normalised ? 'sums to 1 over the vocabulary in every context' : 'is not normalised (by design)', () => {
    let worst = 0;
    for (const h of contexts(train, order)) {
      const p = lm.distribution(h.map(toLm));
      const sum = p.reduce((a, b) => a + b, 0);
      worst = Math.max(worst, Math.abs(sum - 1));
      if (normalised) close(sum, 1, 1e-12);
      expect(p[BOS_ID]).toBe(0); // <bos> is never predicted
      expect(p[PAD_ID]).toBe(0); // nor is <pad>
    }
    if (!normalised) expect(worst).toBeGreaterThan(0.01);
  });

  it('scores sentences as the sum of their events, including </s>', () => {
    const s = ['w0', 'w1', 'w2', 'w0'];
    const events = lm.wordLogProbs(s);
    expect(events.length).toBe(5);
    const padded = ['<s>', ...s, '</s>'];
    for (let i = 1; i < padded.length; i++) {
      const expected = Math.log(ref.p(padded.slice(0, i), padded[i]!));
      if (Number.isFinite(expected)) close(events[i - 1]!, expected, 1e-12, 1e-12);
    }
    close(
      lm.logProb(s),
      events.reduce((a, b) => a + b, 0),
      1e-12,
    );
    close(lm.perplexity([s]), Math.exp(-lm.logProb(s) / 5), 1e-12);
  });
});

describe('n-gram LM details', () => {
  it('estimates KenLM modified discounts from counts of adjusted counts', () => {
    const smoothing: NgramSmoothing = { kind: 'modified-kneser-ney' };
    const lm = trainNgramLm(train, { order: 3, smoothing });
    const ref = new ReferenceLm(train, 3, smoothing, lm.vocabulary.tokens.slice(4) as string[]);
    close(lm.data.discounts!.flat(), ref.discountsUsed().flat(), 1e-15);
    for (const d of lm.data.discounts!)
      for (let j = 0; j < 3; j++) expect(d[j]! >= 0 && d[j]! <= j + 1).toBe(true);
  });

  it('hand-computed bigram Kneser-Ney on a tiny corpus', () => {
    // Corpus: "a b" and "a c". Padded: <s> a b </s>, <s> a c </s>. Vocabulary without <s>: <unk> </s> a b c (5).
    // Bigram counts (top order, raw): <s>a:2, ab:1, ac:1, b</s>:1, c</s>:1.
    // Unigram adjusted counts (left neighbours): a:1 (<s>), b:1, c:1, </s>:2 (b, c); <unk>:0. Sum 5.
    // D = 0.5 (given). Unigram: gamma = 0.5 * 4 / 5 = 0.4; p(a) = (1 - .5)/5 + .4/5 = 0.18; p(</s>) = 1.5/5 + .08 = 0.38;
    // p(<unk>) = 0.08. Context a: den 2, gamma = 0.5*2/2 = 0.5; p(b|a) = 0.5/2 + 0.5 p(b) = 0.25 + 0.09 = 0.34;
    // p(</s>|a) = 0.5 * 0.38 = 0.19.
    const lm = trainNgramLm(
      [
        ['a', 'b'],
        ['a', 'c'],
      ],
      { order: 2, smoothing: { kind: 'kneser-ney', discount: 0.5 } },
    );
    close(Math.exp(lm.wordLogProb([], 'a')), 0.18, 1e-15);
    close(Math.exp(lm.wordLogProb([], '<eos>')), 0.38, 1e-15);
    close(Math.exp(lm.wordLogProb([], 'zzz')), 0.08, 1e-15);
    close(Math.exp(lm.wordLogProb(['a'], 'b')), 0.34, 1e-15);
    close(Math.exp(lm.wordLogProb(['a'], '<eos>')), 0.19, 1e-15);
    // P(<s> a b </s>) = p(a|<s>) p(b|a) p(</s>|b); <s>: den 2, gamma = .5*1/2 = .25, p(a|<s>) = 1.5/2 + .25*.18 = 0.795
    // b: den 1, gamma .5, p(</s>|b) = .5 + .5*.38 = 0.69
    close(Math.exp(lm.logProb(['a', 'b'])), 0.795 * 0.34 * 0.69, 1e-15);
  });

  it('gives unknown words finite probability through <unk> for every smoothed method', () => {
    for (const [, smoothing] of methods) {
      if (smoothing.kind === 'mle') continue;
      const lm = trainNgramLm(train, { order: 3, smoothing });
      expect(Number.isFinite(lm.perplexity([['w1', 'never-seen', 'w2']]))).toBe(true);
    }
    const mle = trainNgramLm(train, { order: 2, smoothing: { kind: 'mle' } });
    expect(mle.perplexity([['w1', 'never-seen']])).toBe(Number.POSITIVE_INFINITY);
    // with a count cutoff, <unk> has training counts and MLE unigrams are finite
    const cut = trainNgramLm(train, { order: 1, smoothing: { kind: 'mle' }, minCount: 30 });
    expect(cut.vocabulary.size).toBeLessThan(15);
    expect(Number.isFinite(cut.perplexity([['never-seen']]))).toBe(true);
  });

  it('accepts id sentences with a vocabulary and gives the same numbers as words', () => {
    const vocabulary = createVocabulary(words);
    const byWords = trainNgramLm(train, { order: 3, vocabulary });
    const byIds = trainNgramLm(
      train.map((s) => vocabulary.encode(s)),
      { order: 3, vocabulary },
    );
    const test = corpus(20, 80, 9);
    close(byIds.perplexity(test.map((s) => vocabulary.encode(s))), byWords.perplexity(test), 1e-12);
  });

  it('samples deterministically for a seed, stopping at </s>', () => {
    const lm = trainNgramLm(train, { order: 3, smoothing: { kind: 'witten-bell' } });
    const a = lm.sample(50, { seed: 3 });
    expect(Array.from(lm.sample(50, { seed: 3 }))).toEqual(Array.from(a));
    expect(a.length).toBeLessThanOrEqual(50);
    expect(Array.from(a).every((id) => id !== PAD_ID && id !== BOS_ID && id !== 3)).toBe(true);
    const text = lm.generate({ prefix: ['w0'], seed: 5, maxLength: 20, temperature: 0.7 });
    expect(text.length).toBeLessThanOrEqual(20);
    // Greedy-ish sampling from a deterministic corpus reproduces it.
    const det = trainNgramLm([['x', 'y', 'z']], { order: 3, smoothing: { kind: 'mle' } });
    expect(det.generate({ seed: 1 })).toEqual(['x', 'y', 'z']);
  });

  it('rejects bad input with errors that name the problem', () => {
    expect(() => trainNgramLm([], { order: 3 })).toThrow(/training sentences: expected a non-empty array/);
    expect(() => trainNgramLm([[1, 2]], { order: 2 })).toThrow(/vocabulary: expected a Vocabulary/);
    expect(() => trainNgramLm(train, { order: 0 })).toThrow(
      /order must be a positive integer, received the number 0/,
    );
    const lm = trainNgramLm(train, { order: 2, smoothing: { kind: 'witten-bell' } });
    expect(() => lm.logProb(['w1', '<bos>'])).toThrow(InputError);
    expect(() => lm.logProb(['w1', '<eos>'])).toThrow(/position 1 of sentence.*boundaries/);
    expect(() => lm.logProb(['<pad>'])).toThrow(/position 0 of sentence.*padding/);
    expect(() => lm.logProb([4, 99])).toThrow(
      /expected a word, or an id in \[0, \d+\) other than 0 \(<pad>\), 2/,
    );
    // ARPA's spellings are ordinary words here (they are translated only at the ARPA file boundary)
    expect(Number.isFinite(lm.logProb(['<s>']))).toBe(true);
    expect(() =>
      trainNgramLm([['a', 'b']], { order: 3, smoothing: { kind: 'modified-kneser-ney' } }),
    ).toThrow(/modified Kneser-Ney discounts for 1-grams.*discountFallback/);
    expect(() => trainNgramLm(train, { order: 2, smoothing: { kind: 'add-k', k: 0 } })).toThrow(
      /add-k smoothing k/,
    );
  });
});
