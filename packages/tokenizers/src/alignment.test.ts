import { describe, expect, test } from 'vitest';
import { isSegmentSpace, normalizeAligned, originalSpan } from './alignment.js';
import { createNormalizer } from './normalizers.js';

const nfkcLower = createNormalizer({
  type: 'Sequence',
  normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }],
});

describe('normalizeAligned', () => {
  test('no normalizer or no change: identity offsets', () => {
    expect(normalizeAligned('abc', null)).toEqual({ text: 'abc', starts: null, ends: null });
    expect(normalizeAligned('abc', nfkcLower)).toEqual({ text: 'abc', starts: null, ends: null });
  });

  test('length-changing normalization maps every unit back to its source cluster', () => {
    // "ﬁ" (1 unit) -> "fi" (2 units); "e\u0301" (2 units) -> "é" (1 unit) under NFC inside NFKC.
    const input = 'A ﬁne e\u0301TUDE';
    const aligned = normalizeAligned(input, nfkcLower);
    expect(aligned.text).toBe('a fine étude');
    expect(Array.from(aligned.starts!)).toEqual([0, 1, 2, 2, 3, 4, 5, 6, 8, 9, 10, 11]);
    expect(Array.from(aligned.ends!)).toEqual([1, 2, 3, 3, 4, 5, 6, 8, 9, 10, 11, 12]);
    // The normalized word "fine" [2, 6) came from original "ﬁne" [2, 5).
    expect(originalSpan(aligned, 2, 6, 0)).toEqual([2, 5]);
    // "étude" [7, 12) came from "e\u0301TUDE" [6, 12).
    expect(originalSpan(aligned, 7, 12, 0)).toEqual([6, 12]);
    expect(originalSpan(aligned, 7, 12, 100)).toEqual([106, 112]);
  });

  test('final sigma: lowercasing depends on context, so the whole word maps as one span', () => {
    const aligned = normalizeAligned('ΟΔΟΣ x', createNormalizer({ type: 'Lowercase' }));
    expect(aligned.text).toBe('οδος x');
    // Per-character lowercasing would give "οδοσ", so the segment falls back to whole-word spans.
    expect(Array.from(aligned.starts!)).toEqual([0, 0, 0, 0, 4, 5]);
    expect(Array.from(aligned.ends!)).toEqual([4, 4, 4, 4, 5, 6]);
  });

  test('zero-length spans', () => {
    const aligned = normalizeAligned('ﬁ', nfkcLower);
    expect(originalSpan(aligned, 2, 2, 0)).toEqual([1, 1]);
    expect(originalSpan({ text: 'ab', starts: null, ends: null }, 1, 1, 3)).toEqual([4, 4]);
  });

  test('segment spaces', () => {
    expect([' ', '\n', '\t', '\u00a0', '\u3000'].every((c) => isSegmentSpace(c.charCodeAt(0)))).toBe(true);
    expect(['a', '\ufeff', '\u0301', '_'].some((c) => isSegmentSpace(c.charCodeAt(0)))).toBe(false);
  });
});
