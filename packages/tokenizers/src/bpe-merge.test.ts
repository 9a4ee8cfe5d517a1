import { describe, expect, test } from 'vitest';
import { bpeMerge, heapMerge, ID_LIMIT, LINEAR_MAX, linearMerge, type MergeRules } from './bpe-merge.js';

/** Ranks rules over 256 single bytes (id = byte) plus `extra` tokens with ids 256, 257, ... */
function rankRules(extra: readonly string[]): MergeRules {
  const ids = new Map<string, number>();
  const byteIds = new Int32Array(256);
  for (let b = 0; b < 256; b++) {
    ids.set(String.fromCharCode(b), b);
    byteIds[b] = b;
  }
  extra.forEach((token, i) => {
    ids.set(token, 256 + i);
  });
  return { mode: 'ranks', byteIds, ids, pairs: new Map() };
}

/** Merge rules: merges[i] = [left, right] makes token 256 + i with rank i. */
function mergeRules(merges: readonly [string, string][]): MergeRules {
  const base = rankRules(merges.map(([a, b]) => a + b));
  const pairs = new Map<number, number>();
  merges.forEach(([a, b], rank) => {
    pairs.set(base.ids.get(a)! * ID_LIMIT + base.ids.get(b)!, rank * ID_LIMIT + 256 + rank);
  });
  return { ...base, mode: 'merges', pairs };
}

const run = (bytes: string, rules: MergeRules, merge = bpeMerge) => {
  const out: number[] = [];
  merge(bytes, rules, out);
  return out;
};

describe('bpeMerge', () => {
  const ranks = rankRules(['ab', 'bc', 'abc', 'aa']);
  const merges = mergeRules([
    ['a', 'b'],
    ['b', 'c'],
    ['a', 'bc'],
    ['a', 'a'],
  ]);

  test('ranks: any adjacent parts whose bytes form a token merge, lowest id first', () => {
    expect(run('abc', ranks)).toEqual([258]); // ab (256), then ab+c = "abc" (258)
    expect(run('abcx', ranks)).toEqual([258, 120]);
    expect(run('x', ranks)).toEqual([120]);
  });

  test('merges: only listed pairs merge, so the same vocabulary can give different ids', () => {
    expect(run('abc', merges)).toEqual([256, 99]); // (a,b) first; (ab, c) is not a listed merge
    expect(run('bc', merges)).toEqual([257]);
    expect(run('xabc', merges)).toEqual([120, 256, 99]);
  });

  test('ties break leftmost', () => {
    expect(run('aaa', ranks)).toEqual([259, 97]);
    expect(run('aaaaa', merges)).toEqual([259, 259, 97]);
  });

  test('the heap loop equals the linear loop on random inputs', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = 'abcd';
    const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * 4)]).join('');
    const vocab = [...new Set(Array.from({ length: 60 }, () => word(2 + Math.floor(random() * 4))))];
    const r = rankRules(vocab);
    const pairs: [string, string][] = Array.from({ length: 40 }, () => [
      word(1 + Math.floor(random() * 2)),
      word(1),
    ]);
    // Merge rules need every left/right part to be a token: keep only those built from earlier merges or bytes.
    const valid: [string, string][] = [];
    const known = new Set(alphabet);
    for (const [a, b] of pairs) {
      if (known.has(a) && known.has(b) && !known.has(a + b)) {
        valid.push([a, b]);
        known.add(a + b);
      }
    }
    const m = mergeRules(valid);
    for (let trial = 0; trial < 300; trial++) {
      const text = word(1 + Math.floor(random() * LINEAR_MAX));
      expect(run(text, r, heapMerge)).toEqual(run(text, r, linearMerge));
      expect(run(text, m, heapMerge)).toEqual(run(text, m, linearMerge));
    }
  });

  test('long pieces stay fast (heap path)', () => {
    const rules = rankRules(['  ', '    ', '        ']);
    const start = performance.now();
    const out = run(' '.repeat(200_001), rules);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(out.length).toBe(25_001);
    expect(out.slice(-2)).toEqual([258, 32]);
  });
});
