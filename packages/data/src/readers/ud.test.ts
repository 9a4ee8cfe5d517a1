import { readFileSync } from 'node:fs';
import { FormatError } from '@strand/base';
import { dataPath, fuzzReader, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { parseUd, toConllu, udSplitOf } from './ud.js';

const row = (id: string, form: string, upos: string, head = '0'): string =>
  `${id}\t${form}\t_\t${upos}\t_\t_\t${head}\t_\t_\t_`;
const SAMPLE = [
  '# sent_id = s1',
  "# text = Don't go.",
  row('1-2', "Don't", '_', '_'),
  row('1', 'Do', 'AUX', '3'),
  row('2', "n't", 'PART', '3'),
  row('3', 'go', 'VERB'),
  row('3.1', 'go', '_', '_'),
  row('4', '.', 'PUNCT', '3'),
  '',
  '# sent_id = s2',
  row('1', 'Hello', 'INTJ'),
  '',
  '',
].join('\n');

const errorOf = (text: string): FormatError => {
  try {
    parseUd(text, { source: 'en_ewt-ud-dev.conllu' });
  } catch (e) {
    return e as FormatError;
  }
  throw new Error('accepted');
};

describe('parseUd', () => {
  test('words and UPOS tags; multiword ranges and empty nodes left out', () => {
    expect(parseUd(SAMPLE)).toEqual([
      [
        { form: 'Do', upos: 'AUX' },
        { form: "n't", upos: 'PART' },
        { form: 'go', upos: 'VERB' },
        { form: '.', upos: 'PUNCT' },
      ],
      [{ form: 'Hello', upos: 'INTJ' }],
    ]);
    expect(parseUd(new TextEncoder().encode(SAMPLE.replaceAll('\n', '\r\n')))).toHaveLength(2);
  });

  test("markov's errors become FormatErrors with file and line", () => {
    const e = errorOf(SAMPLE.replace(row('3', 'go', 'VERB'), '3\tgo\tVERB'));
    expect(e).toBeInstanceOf(FormatError);
    expect(e.line).toBe(6);
    expect(e.message).toMatch(/^CoNLL-U en_ewt-ud-dev\.conllu:6: expected 10 tab-separated columns, got 3/);
    expect(errorOf(SAMPLE.replace(row('4', '.', 'PUNCT', '3'), row('5', '.', 'PUNCT', '3'))).line).toBe(8);
  });

  test('a UPOS outside the 17 universal tags names its line', () => {
    const e = errorOf(SAMPLE.replace(row('1', 'Hello', 'INTJ'), row('1', 'Hello', 'UH')));
    expect(e.line).toBe(11);
    expect(e.message).toMatch(/:11: expected a UPOS tag \(ADJ .* X\), received "UH"/);
    expect(errorOf(SAMPLE.replace(row('2', "n't", 'PART', '3'), row('2', "n't", '_', '3'))).line).toBe(5);
  });

  test('round trip: parseUd(toConllu(sentences)) == sentences', () => {
    const sentences = parseUd(SAMPLE);
    expect(parseUd(toConllu(sentences))).toEqual(sentences);
    expect(udSplitOf('en_ewt-ud-train.conllu')).toBe('train');
    expect(udSplitOf('LICENSE.txt')).toBeUndefined();
  });

  test('fuzz: 600 mutations, only StrandErrors', async () => {
    const report = await fuzzReader({
      input: SAMPLE,
      count: 600,
      read: (bytes) => parseUd(bytes, { source: 'x.conllu' }),
    });
    expect(report.rejected).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(0);
  });
});

describe.skipIf(!hasData('ud-english-ewt', 'en_ewt-ud-train.conllu'))('UD English-EWT (shared data)', () => {
  test('12,544 / 2,001 / 2,077 sentences', () => {
    const count = (split: string): number =>
      parseUd(readFileSync(dataPath('ud-english-ewt', `en_ewt-ud-${split}.conllu`)), { source: split })
        .length;
    expect([count('train'), count('dev'), count('test')]).toEqual([12_544, 2_001, 2_077]);
  });
});
