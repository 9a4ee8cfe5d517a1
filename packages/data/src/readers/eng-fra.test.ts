import { readFileSync } from 'node:fs';
import type { FormatError } from '@strand/base';
import { dataPath, fuzzReader, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { normalizeString, parseEngFra, serializeEngFra } from './eng-fra.js';
import fixtures from './fixtures/normalize.json' with { type: 'json' };

describe('parseEngFra', () => {
  test('2 or 3 columns; the attribution is ignored', () => {
    const text = 'Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM)\r\nHi.\tSalut !\n';
    expect(parseEngFra(text)).toEqual([
      { source: 'Go.', target: 'Va !' },
      { source: 'Hi.', target: 'Salut !' },
    ]);
    expect(parseEngFra(text, { normalize: true })).toEqual([
      { source: 'go .', target: 'va !' },
      { source: 'hi .', target: 'salut !' },
    ]);
  });

  test('errors name the file, line and problem', () => {
    const at = (text: string): FormatError => {
      try {
        parseEngFra(text, { source: 'eng-fra.txt' });
      } catch (e) {
        return e as FormatError;
      }
      throw new Error('accepted');
    };
    expect(at('Go.\tVa !\nHello\n').message).toBe(
      'eng-fra eng-fra.txt:2: expected 2 or 3 tab-separated columns (english, french, attribution), received 1',
    );
    expect(at('Go.\tVa !\ta\tb\n').line).toBe(1);
    expect(at('Go.\t \n').message).toMatch(/:1: the french sentence is empty/);
    expect(at('Go.\tVa !\n\nHi.\tSalut !\n').message).toMatch(/:2: blank line/);
    expect(at('Go.\u0000\tVa\n').message).toMatch(/control character U\+0000/);
  });

  test("normalizeString matches the PyTorch tutorial's (fixture from scripts/make-fixtures.py)", () => {
    expect(fixtures.normalizeString.length).toBeGreaterThan(10);
    for (const [input, expected] of fixtures.normalizeString)
      expect(normalizeString(input!), JSON.stringify(input)).toBe(expected);
  });

  test('round trip: parse(serialize(pairs)) == pairs', () => {
    const pairs = [
      { source: 'Go.', target: 'Va !' },
      { source: "I'm cold.", target: "J'ai froid." },
      { source: 'Where are you?', target: 'Où êtes-vous ?' },
    ];
    expect(parseEngFra(serializeEngFra(pairs))).toEqual(pairs);
  });

  test('fuzz: 600 mutations, only StrandErrors; accepted pairs are the lines split at tabs', async () => {
    const input =
      'Go.\tVa !\tCC-BY 2.0 #1\nRun!\tCours !\tCC-BY 2.0 #2\nWho?\tQui ?\tCC-BY 2.0 #3\nÇa va.\tFine.\n';
    const report = await fuzzReader({
      input,
      count: 600,
      read: (bytes) => parseEngFra(bytes, { source: 'eng-fra.txt' }),
      reference: (bytes) =>
        new TextDecoder('utf-8', { fatal: true })
          .decode(bytes)
          .replace(/^\uFEFF/, '')
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => {
            const [source, target] = l.replace(/\r$/, '').split('\t');
            return { source, target };
          }),
    });
    expect(report.rejected).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(0);
  });
});

describe.skipIf(!hasData('eng-fra', 'eng-fra.txt'))('eng-fra (shared data)', () => {
  test('5,000 pairs', () => {
    const pairs = parseEngFra(readFileSync(dataPath('eng-fra', 'eng-fra.txt')), { source: 'eng-fra.txt' });
    expect(pairs).toHaveLength(5000);
    expect(pairs[0]).toEqual({ source: 'Go.', target: 'Va !' });
    const normalized = parseEngFra(readFileSync(dataPath('eng-fra', 'eng-fra.txt')), { normalize: true });
    expect(normalized.every((p) => /^[a-z.!? ]+$/.test(p.source) && /^[a-z.!? ]+$/.test(p.target))).toBe(
      true,
    );
  });
});
