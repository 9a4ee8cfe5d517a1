import { InputError } from '@strand/base';
import { describe, expect, test } from 'vitest';
import { attentionTable } from './attention-table.js';

describe('attentionTable', () => {
  test('one row per target token, the largest weight of each row starred', () => {
    const table = attentionTable(
      [
        [0.1, 0.9],
        [0.75, 0.25],
      ],
      { source: ['ab', 'c'], target: ['x', 'y'] },
    );
    expect(table.split('\n')).toEqual([
      '  |    ab     c',
      '--+------------',
      'x |  0.10 *0.90',
      'y | *0.75  0.25',
    ]);
  });

  test('a shape that does not match the labels is an InputError naming both', () => {
    expect(() => attentionTable([[1]], { source: ['a', 'b'], target: ['x'] })).toThrow(InputError);
    expect(() => attentionTable([[1]], { source: ['a', 'b'], target: ['x'] })).toThrow(
      /expected 1 rows of 2 \(target × source\), received 1 rows of \[1\]/,
    );
  });
});
