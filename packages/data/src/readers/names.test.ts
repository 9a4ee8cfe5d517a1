import { readdirSync, readFileSync } from 'node:fs';
import { FormatError, InputError } from '@strand/base';
import { dataPath, fuzzReader, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import fixtures from './fixtures/normalize.json' with { type: 'json' };
import {
  labelFromFileName,
  parseNames,
  parseNamesFile,
  serializeNamesFile,
  unicodeToAscii,
} from './names.js';

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseNamesFile', () => {
  test('one name per line, labelled; CRLF, BOM and a final newline are fine; accents kept', () => {
    expect(parseNamesFile('\uFEFFAbbas\r\nBensaïd\nRaïs Hamidou', { label: 'Arabic' })).toEqual([
      { text: 'Abbas', label: 'Arabic' },
      { text: 'Bensaïd', label: 'Arabic' },
      { text: 'Raïs Hamidou', label: 'Arabic' },
    ]);
    expect(parseNamesFile(encode('Bensaïd\n'), { label: 'Arabic', ascii: true })).toEqual([
      { text: 'Bensaid', label: 'Arabic' },
    ]);
  });

  test('errors name the file and line', () => {
    expect(() => parseNamesFile('Abbas\n\nAbboud\n', { label: 'Arabic', source: 'Arabic.txt' })).toThrow(
      /names file Arabic\.txt:2: blank line/,
    );
    expect(() => parseNamesFile('Abbas\nAb\tboud\n', { label: 'Arabic', source: 'Arabic.txt' })).toThrow(
      /Arabic\.txt:2: the name holds the control character U\+0009 at column 3/,
    );
    expect(() => parseNamesFile('Abbas\n李\n', { label: 'Chinese', ascii: true, source: 'C.txt' })).toThrow(
      /C\.txt:2: "李" has no ASCII letters left/,
    );
    expect(() => parseNamesFile('Abbas', { label: '' })).toThrow(InputError);
  });

  test("unicodeToAscii matches the PyTorch tutorial's (fixture from scripts/make-fixtures.py)", () => {
    expect(fixtures.unicodeToAscii.length).toBeGreaterThan(5);
    for (const [input, expected] of fixtures.unicodeToAscii) expect(unicodeToAscii(input!)).toBe(expected);
  });

  test('round trip: parse(serialize(names)) == names', () => {
    const names = ['Abbas', "O'Neal", 'Müller', 'Nguyễn Văn', 'Zhang'];
    expect(parseNamesFile(serializeNamesFile(names), { label: 'x' }).map((n) => n.text)).toEqual(names);
  });

  test('fuzz: 600 mutations, only StrandErrors; accepted files give one name per line', async () => {
    const input = serializeNamesFile(['Abbas', 'Abboud', 'Bensaïd', 'Raïs Hamidou', "O'Neal", 'Dvořák']);
    const report = await fuzzReader({
      input,
      count: 600,
      read: (bytes) => parseNamesFile(bytes, { label: 'L', source: 'L.txt' }),
      reference: (bytes) => {
        const lines = new TextDecoder('utf-8', { fatal: true })
          .decode(bytes)
          .replace(/^\uFEFF/, '')
          .replace(/\n$/, '')
          .split('\n');
        return lines.map((l) => l.replace(/\r$/, ''));
      },
      project: (names) => names.map((n) => n.text),
    });
    expect(report.rejected).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(0);
  });
});

describe('parseNames', () => {
  test('labels from file names, sorted; files read in label order; one file per label', () => {
    const data = parseNames([
      { name: 'data/names/Greek.txt', content: 'Adamidis\n' },
      { name: 'Arabic.txt', content: encode('Abbas\nAbboud\n') },
    ]);
    expect(data.labels).toEqual(['Arabic', 'Greek']);
    expect(data.items.map((n) => `${n.label}:${n.text}`)).toEqual([
      'Arabic:Abbas',
      'Arabic:Abboud',
      'Greek:Adamidis',
    ]);
    expect(labelFromFileName('C:\\data\\names\\Czech.txt')).toBe('Czech');
    expect(() =>
      parseNames([
        { name: 'a/Greek.txt', content: 'A' },
        { name: 'b/Greek.txt', content: 'B' },
      ]),
    ).toThrow(/one file per label/);
    expect(() => parseNames([{ name: 'Greek.txt', content: 'A\n\n' }])).toThrow(FormatError);
  });
});

describe.skipIf(!hasData('names'))('names (shared data)', () => {
  test('19,950 names in 20 languages; Russian is 47%', () => {
    const dir = dataPath('names');
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
    const { items, labels } = parseNames(
      files.map((f) => ({ name: f, content: readFileSync(`${dir}/${f}`) })),
    );
    expect(items).toHaveLength(19_950);
    expect(labels).toHaveLength(20);
    const russian = items.filter((n) => n.label === 'Russian').length / items.length;
    expect(russian).toBeCloseTo(0.47, 2);
    expect(items.some((n) => /[^\x20-\x7e]/.test(n.text))).toBe(true); // accents survive
  });
});
