import { readFileSync } from 'node:fs';
import { FormatError, InputError } from '@strand/base';
import { dataPath, fuzzReader, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import { PIANO_KEYS, parseJsbChorales, pianoRoll, serializeJsbChorales } from './jsb-chorales.js';

const SMALL = { train: [[[60, 64, 67], [], [21, 108]]], valid: [[[62]]], test: [] };

const errorOf = (text: string): FormatError => {
  try {
    parseJsbChorales(text, { source: 'jsb.json' });
  } catch (e) {
    return e as FormatError;
  }
  throw new Error('accepted');
};

describe('parseJsbChorales', () => {
  test('splits of chorales of time steps of pitches; round trip', () => {
    const data = parseJsbChorales(JSON.stringify(SMALL));
    expect(data).toEqual(SMALL);
    expect(parseJsbChorales(new TextEncoder().encode(serializeJsbChorales(data)))).toEqual(data);
  });

  test.each([
    ['[]', '$', 'expected an object { train, valid, test }, received an array of length 0'],
    [JSON.stringify({ ...SMALL, extra: [] }), '$.extra', 'only the keys train, valid and test'],
    [JSON.stringify({ train: [], valid: [] }), '$.test', 'expected an array of chorales, received nothing'],
    [JSON.stringify({ ...SMALL, valid: [[]] }), '$.valid[0]', 'a non-empty array of time steps'],
    [
      JSON.stringify({ ...SMALL, valid: [[62]] }),
      '$.valid[0][0]',
      'an array of MIDI pitches, received the number 62',
    ],
    [
      JSON.stringify({ ...SMALL, valid: [[[62, 20]]] }),
      '$.valid[0][0][1]',
      'an integer MIDI pitch in [21, 108], received the number 20',
    ],
    [JSON.stringify({ ...SMALL, valid: [[[109]]] }), '$.valid[0][0][0]', 'received the number 109'],
    [JSON.stringify({ ...SMALL, valid: [[[60.5]]] }), '$.valid[0][0][0]', 'received the number 60.5'],
    [JSON.stringify({ ...SMALL, valid: [[['60']]] }), '$.valid[0][0][0]', 'received a string "60"'],
    [
      JSON.stringify({ ...SMALL, valid: [[[60, 60]]] }),
      '$.valid[0][0][1]',
      'a pitch not already in this time step',
    ],
  ])('%s: error at %s', (text, path, message) => {
    const e = errorOf(text);
    expect(e).toBeInstanceOf(FormatError);
    expect(e.path).toBe(path);
    expect(e.message).toContain(message);
    expect(e.message).toContain('jsb.json');
  });

  test('syntax errors and deep nesting are FormatErrors with a location', () => {
    expect(errorOf('{"train": [}').line).toBe(1);
    expect(errorOf('['.repeat(100)).message).toMatch(/nesting deeper than 8/);
  });

  test('fuzz: 600 mutations, only StrandErrors; accepted files are valid chorales', async () => {
    const report = await fuzzReader({
      input: JSON.stringify({
        test: [
          [
            [72, 76, 79],
            [71, 74],
          ],
        ],
        train: SMALL.train,
        valid: [[[60], [], [61, 65]]],
      }),
      count: 600,
      read: (bytes) => parseJsbChorales(bytes, { source: 'jsb.json' }),
      reference: (bytes) => {
        const o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<
          string,
          number[][][]
        >;
        const ok =
          Object.keys(o).sort().join() === 'test,train,valid' &&
          Object.values(o).every((split) =>
            split.every(
              (c) =>
                c.length > 0 &&
                c.every(
                  (s) =>
                    new Set(s).size === s.length &&
                    s.every((p) => Number.isInteger(p) && p >= 21 && p <= 108),
                ),
            ),
          );
        if (!ok) throw new Error('invalid');
        return { train: o['train'], valid: o['valid'], test: o['test'] };
      },
    });
    expect(report.rejected).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(0);
  });
});

describe('pianoRoll', () => {
  test('hand-checked multi-hot [time * 88]', () => {
    const roll = pianoRoll([[60, 64], [], [21, 108]]);
    expect(roll).toHaveLength(3 * PIANO_KEYS);
    const on = [...roll.keys()].filter((i) => roll[i] === 1);
    expect(on).toEqual([39, 43, 2 * 88 + 0, 2 * 88 + 87]);
  });

  test('bad pitches are InputErrors naming step and position', () => {
    expect(() => pianoRoll([[60], [20]])).toThrow(
      /pianoRoll pitch 0 of step 1: expected an integer in \[21, 108\], received the number 20/,
    );
    expect(() => pianoRoll([[60.5]])).toThrow(InputError);
    expect(() => pianoRoll([60] as unknown as number[][])).toThrow(/step 0/);
  });
});

describe.skipIf(!hasData('jsb-chorales', 'jsb-chorales-quarter.json'))('JSB chorales (shared data)', () => {
  test('229 / 76 / 77 chorales; piano rolls hold every note', () => {
    const data = parseJsbChorales(readFileSync(dataPath('jsb-chorales', 'jsb-chorales-quarter.json')), {
      source: 'jsb-chorales-quarter.json',
    });
    expect([data.train.length, data.valid.length, data.test.length]).toEqual([229, 76, 77]);
    for (const chorale of data.train) {
      const roll = pianoRoll(chorale);
      expect(roll.reduce((s, v) => s + v, 0)).toBe(chorale.reduce((s, step) => s + step.length, 0));
    }
  });
});
