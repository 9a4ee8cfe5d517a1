import { Rng } from '@strand/base';
import { describe, expect, it } from 'vitest';
import { close } from '../test/helpers.js';
import { parseArpa } from './arpa-read.js';
import { toArpa } from './arpa-write.js';
import { ArpaParseError } from './errors.js';
import { trainNgramLm } from './ngram-train.js';

// Written by hand in the layout KenLM's lmplz uses (comment lines before \data\ are allowed).
// "b c a" has no "c a" 2-gram: a pruned-model case that needs a blank entry.
const FIXTURE = `# hand-written test model

\\data\\
ngram 1=6
ngram 2=4
ngram 3=2

\\1-grams:
-1.0\t<unk>\t0
-99\t<s>\t-0.5
-0.6\t</s>
-0.7\ta\t-0.3
-0.8\tb\t-0.2
-1.2\tc

\\2-grams:
-0.2\t<s> a\t-0.1
-0.4\ta b\t-0.25
-0.3\tb </s>
-0.5\ta c

\\3-grams:
-0.05\t<s> a b
-0.4\tb c a

\\end\\
`;

const log10 = (lm: ReturnType<typeof parseArpa>, ctx: string[], w: string): number =>
  lm.wordLogProb(ctx, w) / Math.LN10;

describe('ARPA reading', () => {
  const lm = parseArpa(FIXTURE);

  it('reads n-grams and applies backoff exactly as the format defines', () => {
    expect(lm.order).toBe(3);
    expect(lm.vocabulary.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c']);
    close(log10(lm, ['<bos>', 'a'], 'b'), -0.05, 1e-12); // 3-gram
    close(log10(lm, ['<bos>', 'a'], 'c'), -0.5 - 0.1, 1e-12); // bo(<s> a) + p(c | a)
    close(log10(lm, ['a', 'b'], '<eos>'), -0.3 - 0.25, 1e-12); // bo(a b) + p(</s> | b)
    close(log10(lm, ['b', 'c'], 'a'), -0.4, 1e-12); // 3-gram whose suffix "c a" is missing
    close(log10(lm, ['a', 'c'], 'a'), -0.7, 1e-12); // blank "c a" skipped; bo(a c) = bo(c) = 0
    close(log10(lm, ['b'], 'c'), -1.2 - 0.2, 1e-12);
    close(log10(lm, ['a'], 'zzz'), -1.0 - 0.3, 1e-12); // unknown word scores as <unk>
    close(lm.logProb(['a', 'b']) / Math.LN10, -0.2 - 0.05 - 0.55, 1e-12);
  });

  it('writes what it read (blanks are not written) and reads it back identically', () => {
    const again = parseArpa(toArpa(lm));
    expect(again.ngramCounts).toEqual([6, 4, 2]);
    for (const ctx of [[], ['a'], ['b', 'c'], ['<bos>', 'a'], ['a', 'c'], ['a', 'b']]) {
      for (const w of ['a', 'b', 'c', '<eos>', '<unk>'])
        close(again.wordLogProb(ctx, w), lm.wordLogProb(ctx, w), 1e-12);
    }
    expect(toArpa(lm)).toContain('-99\t<s>\t-0.5');
  });

  it('adds a missing <unk> at log10 -100, as KenLM does, and warns', () => {
    const warnings: string[] = [];
    const noUnk = parseArpa(FIXTURE.replace('ngram 1=6', 'ngram 1=5').replace('-1.0\t<unk>\t0\n', ''), {
      onWarning: (m) => warnings.push(m),
    });
    close(log10(noUnk, [], 'zzz'), -100, 1e-12);
    expect(warnings[0]).toMatch(/no <unk>/);
  });

  const broken: [string, string, RegExp][] = [
    ['no header', 'hello\n', /ARPA: no "\\data\\" line/],
    [
      'orders not consecutive',
      FIXTURE.replace('ngram 2=4', 'ngram 3=4'),
      /line 5: n-gram orders must be consecutive from 1: expected ngram 2, got ngram 3/,
    ],
    [
      'count mismatch',
      FIXTURE.replace('ngram 2=4', 'ngram 2=5'),
      /line 16: the header declares ngram 2=5 but the section has 4 entries/,
    ],
    [
      'bad number',
      FIXTURE.replace('-0.4\ta b', '-0.4x\ta b'),
      /line 18: probability "-0.4x" is not a decimal number/,
    ],
    [
      'positive probability',
      FIXTURE.replace('-0.4\ta b', '0.4\ta b'),
      /line 18: log10 probability 0.4 is above 0/,
    ],
    [
      'too many fields',
      FIXTURE.replace('-0.3\tb </s>', '-0.3\tb </s> x y'),
      /line 19: a 2-gram line needs .* got 5 fields/,
    ],
    [
      'unknown word',
      FIXTURE.replace('-0.5\ta c', '-0.5\ta d'),
      /line 20: word "d" of this 2-gram is not among the 1-grams/,
    ],
    ['duplicate', FIXTURE.replace('-0.5\ta c', '-0.5\ta b'), /line 20: duplicate 2-gram "a b"/],
    [
      'backoff at top order',
      FIXTURE.replace('-0.05\t<s> a b', '-0.05\t<s> a b\t-0.1'),
      /line 23: backoff "-0.1" given for a highest-order 3-gram/,
    ],
    [
      'wrong section',
      FIXTURE.replace('\\3-grams:', '\\4-grams:'),
      /line 22: expected "\\3-grams:", got "\\4-grams:"/,
    ],
    ['no end', FIXTURE.replace('\\end\\', ''), /ARPA: missing "\\end\\"/],
    [
      'no <s>',
      FIXTURE.replace('ngram 1=6', 'ngram 1=5').replace('-99\t<s>\t-0.5\n', ''),
      /line 8: the 1-grams have no "<s>"/,
    ],
  ];
  it.each(broken)('rejects a file with %s, naming the line', (_name, text, message) => {
    expect(() => parseArpa(text)).toThrow(ArpaParseError);
    expect(() => parseArpa(text)).toThrow(message);
  });
});

describe('ARPA round trip of trained models', () => {
  const rng = new Rng(11);
  const sentences = Array.from({ length: 300 }, () =>
    Array.from({ length: 1 + rng.int(6) }, () => `t${Math.floor(40 * rng.float() ** 2)}`),
  );

  it.each([
    ['modified-kneser-ney', { kind: 'modified-kneser-ney', discountFallback: [0.5, 1, 1.5] }],
    ['kneser-ney', { kind: 'kneser-ney', discount: 0.7 }],
    ['witten-bell', { kind: 'witten-bell' }],
  ] as const)('keeps every probability of a %s 3-gram model to 10 digits', (_n, smoothing) => {
    const lm = trainNgramLm(sentences, { order: 3, smoothing });
    const text = toArpa(lm);
    const back = parseArpa(text);
    expect(back.ngramCounts).toEqual(lm.ngramCounts);
    for (const s of sentences.slice(0, 50)) close(back.logProb(s), lm.logProb(s), 1e-8, 1e-9);
    for (const ctx of [['t1'], ['<bos>', 't0'], ['t3', 't1'], ['t39', 't39']]) {
      close(
        back.distribution(ctx).reduce((a, b) => a + b, 0),
        1,
        1e-8,
      );
    }
  });

  it('refuses vocabularies ARPA cannot spell: literal <s> or </s> words, whitespace', () => {
    const lm = trainNgramLm([['<s>', 'a'], ['b']], { order: 2, smoothing: { kind: 'witten-bell' } });
    expect(lm.vocabulary.has('<s>')).toBe(true); // an ordinary word in Strand's convention
    expect(() => toArpa(lm)).toThrow(
      /vocabulary word \d+: expected a word that ARPA can store.*received "<s>"/,
    );
    const spaced = trainNgramLm([['a b', 'c']], { order: 2, smoothing: { kind: 'witten-bell' } });
    expect(() => toArpa(spaced)).toThrow(/received "a b"/);
  });

  it('refuses to export methods the backoff form cannot store', () => {
    const lm = trainNgramLm(sentences, { order: 2, smoothing: { kind: 'add-k', k: 1 } });
    expect(() => toArpa(lm)).toThrow(
      /model smoothing for ARPA export: expected a normalised backoff model.*received add-k/,
    );
  });
});
