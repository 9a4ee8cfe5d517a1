// Hostile ARPA files: seeded mutations of valid files must give an ArpaParseError (never a raw
// RangeError/TypeError, a hang, or garbage accepted), and whatever is accepted must equal what a
// plain second reader (test/arpa-reference.ts) makes of the same bytes. Plus round trips.
import { readFileSync } from 'node:fs';
import { Rng } from '@strand/base';
import { fuzzReader } from '@strand/test-utils';
import { describe, expect, it } from 'vitest';
import { modelEntries, referenceArpa } from '../test/arpa-reference.js';
import { close } from '../test/helpers.js';
import { parseArpa, readArpa } from './arpa-read.js';
import { toArpa } from './arpa-write.js';
import { ArpaParseError } from './errors.js';
import type { NgramSmoothing } from './ngram-smoothing.js';
import { trainNgramLm } from './ngram-train.js';

const HAND = `\\data\\
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

function corpus(seed: number, n: number): string[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: 1 + rng.int(6) }, () => `t${Math.floor(12 * rng.float() ** 2)}`),
  );
}

const written = toArpa(trainNgramLm(corpus(5, 40), { order: 3, smoothing: { kind: 'witten-bell' } }));
// A plain Uint8Array copy: Buffer.slice is a view, so mutating a Buffer's slices would change it.
const irstlm = new Uint8Array(readFileSync(new URL('../test/irstlm/irstlm-5gram.arpa', import.meta.url)));

describe('ARPA reader under hostile input', () => {
  it.each([
    ['a hand-written 3-gram file', HAND, 1, 600],
    ['a file Strand wrote', written, 2, 500],
    ['an IRSTLM 5-gram file', irstlm, 3, 500],
  ] as const)(
    'rejects mutations of %s with typed errors only, and agrees with a plain reader',
    async (_n, input, seed, count) => {
      const report = await fuzzReader({
        input,
        seed,
        count,
        maxMs: 500,
        read: (bytes) => parseArpa(bytes),
        reference: (bytes) => referenceArpa(bytes),
        project: (lm) => modelEntries(lm),
      });
      expect(report.accepted + report.rejected).toBe(count);
      expect(report.rejected).toBeGreaterThan(count / 4);
      expect(report.accepted).toBeGreaterThan(0); // some mutations stay valid: the reference comparison ran
      // Every rejection is a FormatError (ArpaParseError), none another kind.
      expect(Object.keys(report.codes)).toEqual(['ERR_FORMAT']);
    },
    60_000,
  );

  it('accepts and rejects numbers exactly as the plain reader does (500 seeded number swaps)', () => {
    // Numbers are where a lenient reader goes wrong silently: swap one field for a tricky token
    // and require the same verdict, and the same values, from both readers.
    const tokens = [
      '0',
      '-0',
      '+0.5',
      '-1e-400',
      '2e-7',
      '1e-6',
      '1.5e-6',
      '-inf',
      'inf',
      '-99',
      '-1000',
      '-1000.5',
      '1000',
      '.5',
      '-.5',
      '5.',
      '1e3',
      '1E-3',
      '0x10',
      '1_0',
      'NaN',
      '--1',
      '1e',
      '',
      '٣',
      '-0.25e+1',
    ];
    const rng = new Rng(77);
    const base = HAND.split('\n');
    let accepted = 0;
    for (let c = 0; c < 500; c++) {
      const lines = [...base];
      const at = 6 + rng.int(16);
      if (lines[at]!.startsWith('\\') || lines[at] === '') continue;
      const fields = lines[at]!.split('\t');
      const slot = rng.int(2) === 0 ? 0 : fields.length - 1;
      if (slot === 0 || /^-?[\d.]/.test(fields[slot]!)) fields[slot] = tokens[rng.int(tokens.length)]!;
      const bytes = new TextEncoder().encode(lines.join('\n').replace(lines[at]!, fields.join('\t')));
      let expected: unknown;
      try {
        expected = referenceArpa(bytes);
      } catch {
        expected = 'rejected';
      }
      let got: unknown;
      try {
        got = modelEntries(parseArpa(bytes));
      } catch (e) {
        expect(e).toBeInstanceOf(ArpaParseError);
        got = 'rejected';
      }
      expect(got, `case ${c}: ${fields.join(' ')}`).toEqual(expected);
      if (got !== 'rejected') accepted++;
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it.each([
    [
      'a backoff of 1e999',
      HAND.replace('a\t-0.3', 'a\t1e999'),
      /line 10: backoff "1e999" is not a finite decimal number/,
    ],
    [
      'a NaN probability',
      HAND.replace('-0.8\tb', 'NaN\tb'),
      /line 11: probability "NaN" is not a decimal number/,
    ],
    [
      'a hexadecimal number',
      HAND.replace('-0.2\t<s> a', '0x1F\t<s> a'),
      /line 15: probability "0x1F" is not a decimal number/,
    ],
    ['Infinity', HAND.replace('-0.5\ta c', '-Infinity\ta c'), /line 18: probability "-Infinity"/],
    [
      'a huge backoff',
      HAND.replace('a b\t-0.25', 'a b\t1e300'),
      /line 16: log10 backoff 1e300 is outside \[-1000, 1000\]/,
    ],
    [
      'a huge negative probability',
      HAND.replace('-1.2\tc', '-1e5\tc'),
      /line 12: log10 probability -1e5 is below -1000/,
    ],
    [
      'a probability clearly above 0',
      HAND.replace('-0.4\tb c a', '0.001\tb c a'),
      /line 22: log10 probability 0.001 is above 0/,
    ],
    [
      'a huge declared count',
      HAND.replace('ngram 2=4', 'ngram 2=4294967296'),
      /line 3: ngram 2=4294967296 declares more entries than the file has lines/,
    ],
    ['a reserved word', HAND.replace('-1.2\tc', '-1.2\t<pad>'), /line 12: the word <pad> is reserved/],
    ['text after \\end\\', `${HAND}junk\n`, /line 25: unexpected text after "\\end\\"/],
    [
      'an <unk> used but never declared',
      HAND.replace('ngram 1=6', 'ngram 1=5').replace('-1.0\t<unk>\t0\n', '').replace('b c a', 'b c <unk>'),
      /line 21: word "<unk>" of this 3-gram is not among the 1-grams/,
    ],
  ])('rejects %s, naming the line', (_name, text, message) => {
    expect(() => parseArpa(text)).toThrow(ArpaParseError);
    expect(() => parseArpa(text)).toThrow(message);
  });

  it('names the byte offset of invalid UTF-8', () => {
    const bytes = new TextEncoder().encode(HAND);
    const at = HAND.indexOf('-0.7');
    const bad = Uint8Array.from([...bytes.subarray(0, at), 0xff, ...bytes.subarray(at)]);
    const error = (() => {
      try {
        parseArpa(bad, { source: 'lm.arpa' });
      } catch (e) {
        return e as ArpaParseError;
      }
    })();
    expect(error).toBeInstanceOf(ArpaParseError);
    expect(error!.byteOffset).toBe(at);
    expect(error!.message).toBe(`ARPA lm.arpa byte ${at}: invalid UTF-8`);
  });

  it('clamps log10 probabilities rounded slightly above 0 and counts them', () => {
    const text = HAND.replace('-0.05\t<s> a b', '2e-7\t<s> a b').replace('-0.4\tb c a', '1e-7\tb c a');
    const result = readArpa(text);
    expect(result.clampedProbabilities).toBe(2);
    expect(result.warnings).toEqual([
      '2 log10 probabilities slightly above 0 (rounding) clamped to 0, as KenLM does',
    ]);
    expect(result.model.wordLogProb(['<bos>', 'a'], 'b')).toBe(0);
    expect(readArpa(HAND).clampedProbabilities).toBe(0);
  });
});

describe('ARPA round trips', () => {
  const methods: [string, NgramSmoothing][] = [
    ['witten-bell', { kind: 'witten-bell' }],
    ['kneser-ney', { kind: 'kneser-ney', discount: 0.6 }],
    ['modified-kneser-ney', { kind: 'modified-kneser-ney', discountFallback: [0.5, 1, 1.5] }],
  ];
  it.each(methods)(
    'write -> read keeps the probabilities of %s models (orders 1-5, 8 seeds)',
    (_n, smoothing) => {
      for (let seed = 0; seed < 8; seed++) {
        const sentences = corpus(100 + seed, 30 + 10 * seed);
        const order = 1 + (seed % 5);
        const lm = trainNgramLm(sentences, { order, smoothing });
        const back = parseArpa(toArpa(lm));
        expect(back.ngramCounts).toEqual(lm.ngramCounts);
        const rng = new Rng(seed);
        for (let q = 0; q < 40; q++) {
          const s = sentences[rng.int(sentences.length)]!;
          const end = rng.int(s.length + 1);
          const ctx = ['<bos>', ...s.slice(0, end)];
          const w = end < s.length ? s[end]! : '<eos>';
          close(back.wordLogProb(ctx, w), lm.wordLogProb(ctx, w), 1e-8, 1e-9);
        }
        close(back.perplexity(sentences), lm.perplexity(sentences), 0, 1e-9);
        // A file Strand wrote reads back to the same file, and to the same entries.
        expect(toArpa(back)).toBe(toArpa(lm));
        expect(modelEntries(parseArpa(toArpa(back)))).toEqual(modelEntries(back));
      }
    },
  );

  it('writes each order in trie order (grouped by context), as IRSTLM needs', () => {
    const lm = trainNgramLm(corpus(9, 200), { order: 4, smoothing: { kind: 'witten-bell' } });
    const text = toArpa(lm);
    const sections = text.split(/\\\d-grams:\n/).slice(1);
    const unigrams = sections[0]!
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[1]!);
    const rank = new Map(unigrams.map((w, i) => [w, i]));
    for (let k = 2; k <= 4; k++) {
      const keys = sections[k - 1]!.replace(/\n\\end\\\n$/, '')
        .trim()
        .split('\n')
        .map((l) =>
          l
            .split('\t')[1]!
            .split(' ')
            .map((w) => rank.get(w)!),
        );
      for (let i = 1; i < keys.length; i++) {
        const a = keys[i - 1]!;
        const b = keys[i]!;
        const j = a.findIndex((x, m) => x !== b[m]);
        expect(j >= 0 && a[j]! < b[j]!, `line ${i} of the ${k}-grams is out of order`).toBe(true);
      }
    }
  });

  it("re-reads the IRSTLM fixture losslessly through Strand's writer", () => {
    const lm = parseArpa(irstlm);
    const again = parseArpa(toArpa(lm));
    expect(modelEntries(again)).toEqual(modelEntries(lm));
  });
});
