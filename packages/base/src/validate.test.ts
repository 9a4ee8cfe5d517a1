import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import {
  finiteNumber,
  integerInRange,
  nonNegativeInteger,
  nonNegativeNumber,
  oneOf,
  positiveInteger,
  positiveNumber,
  probability,
  rate,
} from './validate.js';

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('validators', () => {
  const table: [string, (v: unknown) => unknown, unknown[], unknown[]][] = [
    [
      'positiveInteger',
      (v) => positiveInteger(v, 'f'),
      [1, 7, 2 ** 53 - 1],
      [0, -1, 1.5, Number.NaN, 2 ** 53, '3', null],
    ],
    [
      'nonNegativeInteger',
      (v) => nonNegativeInteger(v, 'f'),
      [0, 3],
      [-1, 0.5, Number.POSITIVE_INFINITY, undefined],
    ],
    ['integerInRange', (v) => integerInRange(v, 2, 4, 'f'), [2, 3, 4], [1, 5, 2.5, '2']],
    [
      'finiteNumber',
      (v) => finiteNumber(v, 'f'),
      [0, -3.5, 1e300],
      [Number.NaN, Number.POSITIVE_INFINITY, '1', null],
    ],
    [
      'positiveNumber',
      (v) => positiveNumber(v, 'f'),
      [1e-9, 3],
      [0, -1, Number.POSITIVE_INFINITY, Number.NaN],
    ],
    [
      'nonNegativeNumber',
      (v) => nonNegativeNumber(v, 'f'),
      [0, 2.5],
      [-1e-9, Number.NaN, Number.POSITIVE_INFINITY],
    ],
    ['rate', (v) => rate(v, 'f'), [0, 0.5, 0.999], [1, -0.1, Number.NaN, '0.5']],
    ['probability', (v) => probability(v, 'f'), [0, 1, 0.3], [1.01, -0.1, Number.NaN]],
    ['oneOf', (v) => oneOf(v, ['a', 'b'] as const, 'f'), ['a', 'b'], ['c', 1, null, 'A']],
  ];
  it.each(table)(
    '%s returns valid values and rejects invalid ones naming the field',
    (_, check, good, bad) => {
      for (const v of good) expect(check(v)).toBe(v);
      for (const v of bad) {
        const e = configError(() => check(v));
        expect(e.field).toBe('f');
        expect(e.message).toMatch(/^f must be .+, received /);
      }
    },
  );

  it('messages say what was expected and what came', () => {
    expect(configError(() => positiveInteger(2.5, 'units')).message).toBe(
      'units must be a positive integer, received the number 2.5',
    );
    expect(configError(() => rate(1, 'dropout')).message).toBe(
      'dropout must be a number in [0, 1), received the number 1',
    );
    expect(configError(() => oneOf('gru2', ['lstm', 'gru'] as const, 'mode')).message).toBe(
      `mode must be one of 'lstm', 'gru', received a string "gru2"`,
    );
    expect(configError(() => integerInRange(9, 0, 3, 'k')).message).toBe(
      'k must be an integer in [0, 3], received the number 9',
    );
    expect(configError(() => finiteNumber(undefined, 'seed')).message).toBe(
      'seed must be a finite number, received nothing (the field is missing)',
    );
  });
});
