import { describe, expect, it } from 'vitest';
import { expectClose, maxAbsDiff } from './close.js';

describe('expectClose', () => {
  it('accepts numbers, nested arrays and typed arrays', () => {
    expectClose(Float64Array.of(1, 2, 3), [1, 2, 3.000001], 1e-5);
    expectClose(
      [
        [1, 2],
        [3, 4],
      ],
      Float32Array.of(1, 2, 3, 4),
      0,
    );
    expect(maxAbsDiff(Float32Array.of(1, 2), [1, 2.5])).toBeCloseTo(0.5);
  });

  it('fails with the offending index', () => {
    expect(() => expectClose([1, 2, 3], [1, 2, 4], 1e-3)).toThrow(/flat index 2: actual 3, expected 4/);
  });
});
