import { ConfigError, InputError } from '@strand/base';
import { describe, expect, test } from 'vitest';
import { padBatch } from './pad.js';

describe('padBatch', () => {
  test('pads to the longest with PAD_ID and a 1/0 mask', () => {
    const p = padBatch([[5, 6, 7], [8], []]);
    expect([p.batch, p.time]).toEqual([3, 3]);
    expect([...p.ids]).toEqual([5, 6, 7, 8, 0, 0, 0, 0, 0]);
    expect([...p.mask]).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect([...p.lengths]).toEqual([3, 1, 0]);
    expect(p.mask).toBeInstanceOf(Float32Array);
  });

  test('padId, typed arrays as input, maxLength pads to a fixed time', () => {
    const p = padBatch([Int32Array.of(1, 2), [3]], { padId: 9, maxLength: 4 });
    expect(p.time).toBe(4);
    expect([...p.ids]).toEqual([1, 2, 9, 9, 3, 9, 9, 9]);
    expect([...p.mask]).toEqual([1, 1, 0, 0, 1, 0, 0, 0]);
  });

  test('longer than maxLength: an InputError, or the first maxLength ids with truncate', () => {
    expect(() => padBatch([[1, 2, 3], [4]], { maxLength: 2 })).toThrow(
      /sequence 0: expected at most maxLength = 2 ids, received 3 ids/,
    );
    const p = padBatch([[1, 2, 3], [4]], { maxLength: 2, truncate: true });
    expect([...p.ids]).toEqual([1, 2, 4, 0]);
    expect([...p.lengths]).toEqual([2, 1]);
  });

  test('bad ids and options are typed errors', () => {
    expect(() => padBatch([])).toThrow(InputError);
    expect(() => padBatch([[1, 2.5]])).toThrow(/id 1 of sequence 0/);
    expect(() => padBatch([[1, -1]])).toThrow(InputError);
    expect(() => padBatch([[1]], { maxLength: -1 })).toThrow(ConfigError);
    expect(() => padBatch([[1]], { padId: -3 })).toThrow(InputError);
    expect(() => padBatch([null as unknown as number[]])).toThrow(/sequence 0/);
  });
});
