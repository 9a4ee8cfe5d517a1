import { describe, expect, it } from 'vitest';
import { VocabularyError } from './errors.js';
import { KeyedVectors } from './keyed-vectors.js';

// Axes: [royalty, maleness, femaleness, fruitiness]; a hand-made set with known answers.
const table: Record<string, number[]> = {
  king: [1, 1, 0, 0],
  queen: [1, 0, 1, 0],
  man: [0, 1, 0, 0],
  woman: [0, 0, 1, 0],
  prince: [0.8, 1, 0, 0.05],
  apple: [0, 0, 0, 1],
  zero: [0, 0, 0, 0],
};
const kv = new KeyedVectors(Object.keys(table), Float32Array.from(Object.values(table).flat()), 4);

describe('KeyedVectors', () => {
  it('computes cosine similarity from precomputed norms', () => {
    expect(kv.similarity('king', 'queen')).toBeCloseTo(0.5, 6);
    expect(kv.similarity('king', 'man')).toBeCloseTo(Math.SQRT1_2, 6);
    expect(kv.similarity('apple', 'king')).toBe(0);
    expect(kv.similarity('zero', 'king')).toBe(0);
    expect(kv.norms[0]).toBeCloseTo(Math.SQRT2, 6);
    expect(Array.from(kv.vector('queen'))).toEqual([1, 0, 1, 0]);
  });

  it('finds the nearest words, best first, without the query', () => {
    const near = kv.mostSimilar('king', 3);
    expect(near.map((n) => n.word)).toEqual(['prince', 'man', 'queen']);
    expect(near[0]!.similarity).toBeCloseTo(1.8 / (Math.SQRT2 * Math.sqrt(0.64 + 1 + 0.0025)), 5);
    expect(kv.mostSimilar('king', 2, { exclude: ['prince'] }).map((n) => n.word)).toEqual(['man', 'queen']);
    expect(kv.mostSimilar([0, 0, 0, 2], 1)).toEqual([{ word: 'apple', similarity: 1 }]);
    expect(kv.mostSimilar('king', 100)).toHaveLength(6);
  });

  it('solves analogies by 3CosAdd: man : king :: woman : queen', () => {
    expect(kv.analogy('man', 'king', 'woman')[0]!.word).toBe('queen');
    // prince (royal, male) edges out king here: 1.222 vs 1.207 before normalising the target.
    expect(kv.analogy('woman', 'queen', 'man', 2).map((n) => n.word)).toEqual(['prince', 'king']);
    // unit(king) - unit(man) + unit(woman) = [.707, -.293, 1, 0]; cos with queen = 1.207 / (√2 · 1.259)
    expect(kv.analogy('man', 'king', 'woman')[0]!.similarity).toBeCloseTo(
      (Math.SQRT1_2 + 1) / (Math.SQRT2 * Math.hypot(Math.SQRT1_2, Math.SQRT1_2 - 1, 1)),
      5,
    );
  });

  it('names unknown words, duplicates and mismatched sizes', () => {
    expect(() => kv.similarity('king', 'emperor')).toThrow(
      'token: expected a token in the vocabulary, received "emperor"',
    );
    expect(() => kv.similarity('king', 'emperor')).toThrow(expect.objectContaining({ token: 'emperor' }));
    expect(() => kv.analogy('man', 'king', 'duchess')).toThrow(VocabularyError);
    expect(() => new KeyedVectors(['a', 'a'], new Float32Array(2), 1)).toThrow(
      "'a' appears twice (rows 0 and 1)",
    );
    expect(() => new KeyedVectors(['a'], new Float32Array(3), 2)).toThrow(
      'vectors hold 3 numbers; 1 words × dim 2 need 2',
    );
    expect(() => kv.mostSimilar([1, 2], 1)).toThrow('query vector has 2 values; expected dim 4');
    expect(() => kv.mostSimilar('king', 0)).toThrow(/k must be a positive integer/);
  });
});
