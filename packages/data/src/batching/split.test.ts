import { ConfigError } from '@strand/base';
import { describe, expect, test } from 'vitest';
import { splitItems, splitText } from './split.js';

describe('splitText', () => {
  test('first 90% / last 10% by default, as nanoGPT (int(n * 0.9))', () => {
    expect(splitText('abcdefghij')).toEqual({ train: 'abcdefghi', valid: 'j' });
    // n = 25: int(25 * 0.9) = 22
    const text = 'x'.repeat(25);
    expect(splitText(text).train.length).toBe(22);
    // tiny Shakespeare's cut: int(1115394 * 0.9) = 1003854
    expect(splitText('a'.repeat(1_115_394)).train.length).toBe(1_003_854);
  });

  test('validFraction and its bounds', () => {
    expect(splitText('abcd', { validFraction: 0.5 })).toEqual({ train: 'ab', valid: 'cd' });
    expect(splitText('abcd', { validFraction: 0 })).toEqual({ train: 'abcd', valid: '' });
    expect(() => splitText('abcd', { validFraction: 1 })).toThrow(ConfigError);
    expect(() => splitText('abcd', { validFraction: Number.NaN })).toThrow(/validFraction/);
  });

  test('never cuts a surrogate pair', () => {
    // 'ab😀c' is 5 UTF-16 units; int(5 * 0.6) = 3 falls inside the pair, so the cut moves to 4
    expect(splitText('ab😀c', { validFraction: 0.4 })).toEqual({ train: 'ab😀', valid: 'c' });
  });
});

describe('splitItems', () => {
  const items = Array.from({ length: 100 }, (_, i) => ({ id: i, label: i < 80 ? 'a' : 'b' }));

  test('sizes, disjoint cover, original order, deterministic by seed', () => {
    const { train, valid } = splitItems(items, { validFraction: 0.2, seed: 7 });
    expect(valid).toHaveLength(20);
    expect(train).toHaveLength(80);
    const ids = [...train, ...valid].map((x) => x.id).sort((a, b) => a - b);
    expect(ids).toEqual(items.map((x) => x.id));
    for (const part of [train, valid])
      for (let k = 1; k < part.length; k++) expect(part[k]!.id).toBeGreaterThan(part[k - 1]!.id);
    expect(splitItems(items, { validFraction: 0.2, seed: 7 })).toEqual({ train, valid });
    expect(splitItems(items, { validFraction: 0.2, seed: 8 }).valid).not.toEqual(valid);
  });

  test('stratifyBy keeps class proportions exactly (rounded per class)', () => {
    const { train, valid } = splitItems(items, { validFraction: 0.25, seed: 3, stratifyBy: (x) => x.label });
    expect(valid.filter((x) => x.label === 'a')).toHaveLength(20);
    expect(valid.filter((x) => x.label === 'b')).toHaveLength(5);
    expect(train).toHaveLength(75);
  });

  test('one item per group (the default) keeps the split every earlier run drew', () => {
    // Pinned before groupBy existed: the sentiment and names figures were measured on these draws.
    const { valid } = splitItems(items, { validFraction: 0.25, seed: 3, stratifyBy: (x) => x.label });
    expect(valid.map((x) => x.id)).toEqual([
      0, 12, 15, 17, 23, 27, 34, 39, 42, 46, 49, 50, 53, 55, 60, 65, 67, 69, 70, 72, 86, 89, 92, 94, 97,
    ]);
    const byId = splitItems(items, {
      validFraction: 0.25,
      seed: 3,
      stratifyBy: (x) => x.label,
      groupBy: (x) => String(x.id),
    });
    expect(byId.valid).toEqual(valid);
  });

  test('groupBy keeps every group in one part, a group in the class of its first item', () => {
    // 60 names, 40 of them listed twice (under 'a' and under 'b'): 100 items in 60 groups.
    const names = Array.from({ length: 100 }, (_, i) => ({
      text: `n${i % 60}`,
      label: i < 60 ? 'a' : 'b',
    }));
    for (let seed = 0; seed < 10; seed++) {
      const { train, valid } = splitItems(names, {
        validFraction: 0.2,
        seed,
        stratifyBy: (x) => x.label,
        groupBy: (x) => x.text,
      });
      expect(train.length + valid.length).toBe(100);
      const held = new Set(valid.map((x) => x.text));
      expect(train.some((x) => held.has(x.text))).toBe(false);
      // Class 'a' holds all 60 groups (100 items): validation takes groups until >= 20 items,
      // overshooting by at most one group (2 items).
      expect(valid.length).toBeGreaterThanOrEqual(20);
      expect(valid.length).toBeLessThanOrEqual(21);
      expect(
        splitItems(names, { validFraction: 0.2, seed, stratifyBy: (x) => x.label, groupBy: (x) => x.text }),
      ).toEqual({
        train,
        valid,
      });
    }
  });

  test('bad options are ConfigErrors', () => {
    expect(() => splitItems(items, { validFraction: 0.1, seed: 1, groupBy: 'id' as never })).toThrow(
      /groupBy/,
    );
    expect(() => splitItems(items, { validFraction: 1.5, seed: 1 })).toThrow(ConfigError);
    expect(() => splitItems(items, { validFraction: 0.1, seed: Number.NaN })).toThrow(/seed/);
  });
});
