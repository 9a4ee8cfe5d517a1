import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import {
  decodeUtf8,
  findJsonSyntaxError,
  firstInvalidUtf8,
  jsonChecker,
  lineColumn,
  parseDecimal,
  parseJson,
} from './json.js';
import { Rng } from './rng.js';

function formatError(f: () => unknown): FormatError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('parseJson', () => {
  it('parses valid JSON', () => {
    expect(parseJson('{"a": [1, 2, {"b": "\\u00e9]"}]}', { format: 'test' })).toEqual({
      a: [1, 2, { b: 'é]' }],
    });
  });

  it('fails fast on 100k-deep nesting with a FormatError, no stack overflow', () => {
    for (const open of ['[', '{"a":']) {
      const text = open.repeat(100_000);
      const started = performance.now();
      const e = formatError(() => parseJson(text, { format: 'vocabulary JSON', source: 'v.json' }));
      expect(performance.now() - started).toBeLessThan(200);
      expect(e.message).toMatch(/^vocabulary JSON v\.json:1:\d+: nesting deeper than 64 levels$/);
    }
  });

  it('honours maxDepth exactly, and brackets inside strings do not count', () => {
    expect(parseJson('[[["[[[[[["]]]', { format: 't', maxDepth: 3 })).toEqual([[['[[[[[[']]]);
    expect(() => parseJson('[[[[1]]]]', { format: 't', maxDepth: 3 })).toThrow(/nesting deeper than 3/);
    expect(parseJson('["\\"[[[["]', { format: 't', maxDepth: 1 })).toEqual(['"[[[[']);
  });

  it.each([
    ['{"a":\n  tru}', 2, 3, /expected a value, found "t"/],
    ['[1,2', 1, 5, /expected ',' or '\]', found the end of the input/],
    ['{"a" 1}', 1, 6, /expected ':' after the property name/],
    ['[1,]', 1, 4, /expected a value, found "\]"/],
    ['', 1, 1, /expected a value, found the end of the input/],
    ['{"a":1}\n\n x', 3, 2, /expected the end of the input, found "x"/],
    ['["a\nb"]', 1, 4, /control character in string/],
    ['["\\x"]', 1, 3, /invalid escape/],
    ['{1:2}', 1, 2, /property name in double quotes/],
    ['[01]', 1, 3, /expected ',' or '\]', found "1"/],
    ['[NaN]', 1, 2, /expected a value, found "N"/],
  ])('%j: a FormatError at line %i, column %i', (text, line, column, reason) => {
    const e = formatError(() => parseJson(text, { format: 'T', source: 'f.json' }));
    expect(e.line).toBe(line);
    expect(e.column).toBe(column);
    expect(e.reason).toMatch(reason);
    expect(e.source).toBe('f.json');
    expect(e.cause).toBeInstanceOf(SyntaxError);
    expect(e.message.length).toBeLessThan(200); // never quotes the whole input
  });

  it('findJsonSyntaxError agrees with JSON.parse on 3000 seeded mutations of JSON', () => {
    const rng = new Rng(21);
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"',
      '\\',
      '1',
      '-',
      '.',
      'e',
      'true',
      'nul',
      ' ',
      '\n',
      'u',
      '0',
    ];
    const base = '{"a": [1, -2.5e3, "x\\"y\\u0041", true, null, {"b": []}], "c": {}}';
    let disagree = 0;
    for (let k = 0; k < 3000; k++) {
      let t = base;
      for (let m = 0, n = 1 + rng.int(3); m < n; m++) {
        const at = rng.int(t.length + 1);
        t = t.slice(0, at) + (rng.int(2) ? pieces[rng.int(pieces.length)] : '') + t.slice(at + rng.int(3));
      }
      let valid = true;
      try {
        JSON.parse(t);
      } catch {
        valid = false;
      }
      if ((findJsonSyntaxError(t) === undefined) !== valid) disagree++;
    }
    expect(disagree).toBe(0);
  });

  it('lineColumn is 1-based', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('decodeUtf8', () => {
  const ascii = [0x61, 0x62];
  it.each([
    ['a lone continuation byte', [0x80], 2],
    ['an overlong 2-byte NUL (C0 80)', [0xc0, 0x80], 2],
    ['an overlong 3-byte form (E0 80 80)', [0xe0, 0x80, 0x80], 2],
    ['an overlong 4-byte form (F0 80 80 80)', [0xf0, 0x80, 0x80, 0x80], 2],
    ['a UTF-16 surrogate (ED A0 80)', [0xed, 0xa0, 0x80], 2],
    ['a truncated sequence at the end (E2 82)', [0xe2, 0x82], 2],
    ['a truncated sequence before ASCII (E2 82 41)', [0xe2, 0x82, 0x41], 2],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80], 2],
    ['a byte that never occurs (FF)', [0xff], 2],
    ['F5', [0xf5, 0x80, 0x80, 0x80], 2],
  ])('%s: FormatError naming byte offset %i', (_, bad, offset) => {
    const bytes = Uint8Array.from([...ascii, ...bad, 0x63]);
    const e = formatError(() => decodeUtf8(bytes, { format: 'CoNLL-U', source: 'x.conllu' }));
    expect(e.byteOffset).toBe(offset);
    expect(e.message).toBe(`CoNLL-U x.conllu byte ${offset}: invalid UTF-8`);
    expect(firstInvalidUtf8(bytes)).toBe(offset);
  });

  it('offsets count bytes, not characters', () => {
    const bytes = Uint8Array.from([...new TextEncoder().encode('é😀'), 0xff]);
    expect(formatError(() => decodeUtf8(bytes, { format: 'x' })).byteOffset).toBe(6);
  });

  it('decodes valid text (BOM kept), and replaces only when asked', () => {
    const text = '\uFEFFhé 😀 \u{10FFFF}';
    expect(decodeUtf8(new TextEncoder().encode(text), { format: 'x' })).toBe(text);
    expect(decodeUtf8(Uint8Array.of(0x61, 0xff, 0x62), { format: 'x', replaceInvalid: true })).toBe(
      'a\uFFFDb',
    );
  });

  it('firstInvalidUtf8 agrees with a fatal TextDecoder on 5000 seeded random byte strings', () => {
    const rng = new Rng(3);
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const interesting = [
      0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0,
      0x90, 0x8f,
    ];
    let disagree = 0;
    for (let k = 0; k < 5000; k++) {
      const bytes = Uint8Array.from({ length: rng.int(8) }, () => interesting[rng.int(interesting.length)]!);
      let ok = true;
      try {
        fatal.decode(bytes);
      } catch {
        ok = false;
      }
      if ((firstInvalidUtf8(bytes) === -1) !== ok) disagree++;
    }
    expect(disagree).toBe(0);
  });
});

describe('parseDecimal', () => {
  it.each([
    '0x1F',
    '1e999',
    '-1e999',
    'NaN',
    'Infinity',
    '-Infinity',
    '',
    ' ',
    '1 ',
    ' 1',
    '1,5',
    '0b1',
    '1e',
    '.',
    '+',
    '--1',
    '1_000',
  ])('rejects %j', (text) => {
    expect(parseDecimal(text)).toBeUndefined();
  });
  it.each([
    ['0', 0],
    ['-1.5', -1.5],
    ['+2', 2],
    ['.5', 0.5],
    ['5.', 5],
    ['1e-3', 0.001],
    ['-2.5E+2', -250],
    ['007', 7],
    ['1e-400', 0],
  ])('accepts %j as %d', (text, value) => {
    expect(parseDecimal(text)).toBe(value);
  });
});

describe('jsonChecker', () => {
  const check = jsonChecker({ format: 'vocabulary JSON', source: 'v.json' });
  it('returns valid values and names the path of invalid ones', () => {
    expect(check.object({ a: 1 }, '$')).toEqual({ a: 1 });
    expect(check.index(3, '$.n', 5)).toBe(3);
    expect(check.stringArray(['a'], '$.t')).toEqual(['a']);
    const e = formatError(() => check.stringArray(['a', 7], '$.tokens'));
    expect(e.path).toBe('$.tokens[1]');
    expect(e.message).toBe('vocabulary JSON v.json at $.tokens[1]: expected a string, got the number 7');
    expect(() => check.object([], '$')).toThrow(/expected an object, got an array of length 0/);
    expect(() => check.number(Number.POSITIVE_INFINITY, '$.x')).toThrow(/a finite number/);
    expect(() => check.index(6, '$.n', 5)).toThrow(/an integer in \[0, 5\]/);
    expect(() => check.index(-1, '$.n')).toThrow(/a non-negative integer/);
    expect(() => check.boolean('true', '$.b')).toThrow(/a boolean, got a string "true"/);
    expect(() => check.string(null, '$.s')).toThrow(/a string, got null/);
  });
});
