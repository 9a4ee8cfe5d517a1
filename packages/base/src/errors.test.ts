import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  describeText,
  describeValue,
  FormatError,
  formatShape,
  IdOutOfRangeError,
  InputError,
  isStrandError,
  NonFiniteError,
  ShapeError,
  StrandError,
  VocabularyError,
} from './errors.js';

describe('the error hierarchy', () => {
  it('gives every class a stable code, its name, and StrandError as root', () => {
    const cases: [StrandError, string, string, (abstract new (...a: never[]) => Error)[]][] = [
      [new ConfigError('bad', 'units'), 'ERR_CONFIG', 'ConfigError', []],
      [new ShapeError('x', [2, null], [2, 3, 4]), 'ERR_SHAPE', 'ShapeError', []],
      [new InputError({ what: 'w', expected: 'e', received: 'r' }), 'ERR_INPUT', 'InputError', []],
      [new VocabularyError('zz', 3), 'ERR_VOCABULARY', 'VocabularyError', [InputError]],
      [new IdOutOfRangeError(9, 2, 5), 'ERR_ID_RANGE', 'IdOutOfRangeError', [InputError]],
      [new NonFiniteError('state.h', 'NaN', 7), 'ERR_NON_FINITE', 'NonFiniteError', [InputError]],
      [new FormatError('ARPA', 'bad', { line: 3 }), 'ERR_FORMAT', 'FormatError', []],
    ];
    for (const [e, code, name, parents] of cases) {
      expect(e).toBeInstanceOf(StrandError);
      expect(e).toBeInstanceOf(Error);
      for (const p of parents) expect(e).toBeInstanceOf(p);
      expect(e.code).toBe(code);
      expect(e.name).toBe(name);
      expect(isStrandError(e)).toBe(true);
      expect(isStrandError(e, code)).toBe(true);
      expect(isStrandError(e, 'ERR_OTHER')).toBe(false);
      expect(String(e)).toMatch(new RegExp(`^${name}: `));
    }
    expect(isStrandError(new RangeError('x'))).toBe(false);
    expect(isStrandError('ERR_CONFIG')).toBe(false);
  });

  it('carries the cause', () => {
    const cause = new SyntaxError('deep');
    const e = new FormatError('tokenizer.json', 'invalid JSON', {}, { cause });
    expect(e.cause).toBe(cause);
    expect(new ConfigError('x', 'f', { cause }).cause).toBe(cause);
    expect('cause' in new ConfigError('x')).toBe(false);
  });

  it('ConfigError names its field', () => {
    const e = new ConfigError('units must be a positive integer, received 0', 'units');
    expect(e.field).toBe('units');
    expect(e.message).toBe('units must be a positive integer, received 0');
    expect(new ConfigError('m').field).toBeUndefined();
  });

  it('ShapeError: expected and received, with ? for any size, or a sentence', () => {
    const e = new ShapeError('linear input', [null, 4], [2, 3]);
    expect(e.message).toBe('linear input: expected shape [?, 4], received [2, 3]');
    expect(e.what).toBe('linear input');
    expect(e.expected).toEqual([null, 4]);
    expect(e.received).toEqual([2, 3]);
    expect(new ShapeError('m', 'rank >= 2', [3]).message).toBe('m: expected shape rank >= 2, received [3]');
    expect(formatShape([])).toBe('[]');
  });

  it('InputError and subclasses: what / expected / received / hint', () => {
    const e = new InputError({ what: 'row 2', expected: 'sums to 1', received: '0.9', hint: 'normalise it' });
    expect(e.message).toBe('row 2: expected sums to 1, received 0.9. normalise it');
    expect([e.what, e.expected, e.received, e.hint]).toEqual(['row 2', 'sums to 1', '0.9', 'normalise it']);
    const v = new VocabularyError('é', 4);
    expect(v.token).toBe('é');
    expect(v.position).toBe(4);
    expect(v.message).toContain(
      'token at position 4: expected a token in the vocabulary, received "é" (U+00E9)',
    );
    expect(new VocabularyError('x').what).toBe('token');
    const id = new IdOutOfRangeError(7, 3, 5, 'symbol');
    expect([id.id, id.index, id.size]).toEqual([7, 3, 5]);
    expect(id.message).toBe('symbol at index 3: expected an integer in [0, 5), received 7');
    expect(new IdOutOfRangeError(1.5, -1, 5).message).toBe(
      'id: expected an integer in [0, 5), received 1.5. ids must be integers',
    );
    const nf = new NonFiniteError('output', 'NaN at [0, 3]', 12);
    expect([nf.tensor, nf.step]).toEqual(['output', 12]);
    expect(nf.message).toMatch(/^output at step 12: expected finite numbers, received NaN at \[0, 3\]/);
    expect(new NonFiniteError('loss', 'Infinity').what).toBe('loss');
  });

  it('FormatError: format, location fields and message', () => {
    const e = new FormatError('ARPA', 'expected 3 fields, received 2', { source: 'lm.arpa', line: 12 });
    expect(e.message).toBe('ARPA lm.arpa:12: expected 3 fields, received 2');
    expect([e.format, e.reason, e.source, e.line, e.column]).toEqual([
      'ARPA',
      'expected 3 fields, received 2',
      'lm.arpa',
      12,
      undefined,
    ]);
    expect(new FormatError('JSON', 'bad', { line: 2, column: 5 }).message).toBe('JSON line 2:5: bad');
    expect(new FormatError('safetensors', 'bad', { byteOffset: 9 }).message).toBe('safetensors byte 9: bad');
    expect(new FormatError('vocab', 'bad', { source: 'v.json', path: '$.tokens[2]' }).message).toBe(
      'vocab v.json at $.tokens[2]: bad',
    );
    expect(new FormatError('X', 'bad').message).toBe('X: bad');
  });

  it('withSource names the file once, keeps class, fields, cause and stack', () => {
    class SubError extends FormatError {
      override name = 'SubError';
    }
    const cause = new Error('c');
    const e = new SubError('ARPA', 'bad count', { line: 4 }, { cause });
    const named = e.withSource('model.arpa');
    expect(named).toBeInstanceOf(SubError);
    expect(named.message).toBe('ARPA model.arpa:4: bad count');
    expect(named.source).toBe('model.arpa');
    expect(named.line).toBe(4);
    expect(named.cause).toBe(cause);
    expect(named.code).toBe('ERR_FORMAT');
    expect(named.stack).toBe(e.stack);
    expect(e.source).toBeUndefined(); // the original is unchanged
    expect(named.withSource('other')).toBe(named);
  });

  it('describeText shows code points; describeValue names kinds', () => {
    expect(describeText('a\u200b')).toBe('"a\u200b" (U+0061 U+200B)');
    expect(describeText('😀')).toBe('"😀" (U+1F600)');
    expect(describeText('abcdefghij')).toMatch(/\(U\+0061 .* U\+0068 \.\.\.\)$/);
    expect(describeValue(undefined)).toBe('nothing (the field is missing)');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1, 2])).toBe('an array of length 2');
    expect(describeValue(new Float32Array(3))).toBe('a Float32Array of length 3');
    expect(describeValue('x')).toBe('a string "x"');
    expect(describeValue(7)).toBe('the number 7');
    expect(describeValue(true)).toBe('a boolean');
    expect(describeValue({})).toBe('an object');
  });
});
