import { ConfigError, InputError } from '@strand/base';
import { describe, expect, test } from 'vitest';
import { bucketBatches } from './buckets.js';
import { shuffledIndices } from './shuffle.js';

describe('bucketBatches', () => {
  test('without shuffling: ascending length, ties by index', () => {
    expect(bucketBatches([5, 1, 4, 2], { batchSize: 2, seed: 0, shuffle: false })).toEqual([
      [1, 3],
      [2, 0],
    ]);
    expect(bucketBatches([3, 3, 1, 3, 2], { batchSize: 2, seed: 0, shuffle: false })).toEqual([
      [2, 4],
      [0, 1],
      [3],
    ]);
    expect(
      bucketBatches([3, 3, 1, 3, 2], { batchSize: 2, seed: 0, shuffle: false, dropLast: true }),
    ).toHaveLength(2);
  });

  test('shuffled: every index once, batches hold one or two neighbouring buckets, seeded', () => {
    const lengths = Array.from({ length: 103 }, (_, i) => (i * 37) % 50);
    const opts = { batchSize: 8, seed: 4, bucketWidth: 5 };
    const batches = bucketBatches(lengths, opts);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    expect(batches.filter((b) => b.length < 8)).toHaveLength(1);
    for (const batch of batches) {
      const buckets = batch.map((i) => Math.floor(lengths[i]! / 5));
      expect(Math.max(...buckets) - Math.min(...buckets)).toBeLessThanOrEqual(1);
    }
    expect(bucketBatches(lengths, opts)).toEqual(batches);
    expect(bucketBatches(lengths, { ...opts, seed: 5 })).not.toEqual(batches);
    // the batch order is shuffled: not in ascending length
    const firsts = batches.map((b) => lengths[b[0]!]!);
    expect(firsts).not.toEqual([...firsts].sort((a, b) => a - b));
  });

  test('padding waste is small compared with a random order', () => {
    const lengths = Array.from({ length: 400 }, (_, i) => 1 + ((i * 7919) % 97));
    const waste = (batches: number[][]): number =>
      batches.reduce(
        (sum, b) =>
          sum + b.length * Math.max(...b.map((i) => lengths[i]!)) - b.reduce((s, i) => s + lengths[i]!, 0),
        0,
      );
    const random = [...shuffledIndices(400, 1)];
    const randomBatches = Array.from({ length: 50 }, (_, k) => random.slice(k * 8, k * 8 + 8));
    expect(waste(bucketBatches(lengths, { batchSize: 8, seed: 1 }))).toBeLessThan(waste(randomBatches) / 10);
  });

  test('typed errors', () => {
    expect(() => bucketBatches([1, 2], { batchSize: 0, seed: 1 })).toThrow(ConfigError);
    expect(() => bucketBatches([1, -2], { batchSize: 1, seed: 1 })).toThrow(InputError);
    expect(() => bucketBatches([1, 2], { batchSize: 1, seed: 1, bucketWidth: 0 })).toThrow(/bucketWidth/);
  });
});

describe('shuffledIndices', () => {
  test('a seeded permutation, the same draws as Rng.shuffle', async () => {
    const { Rng } = await import('@strand/base');
    const p = shuffledIndices(50, 9);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...p]).toEqual(new Rng(9).shuffle(Array.from({ length: 50 }, (_, i) => i)));
    expect(shuffledIndices(50, 10)).not.toEqual(p);
    expect([...shuffledIndices(0, 1)]).toEqual([]);
    expect(() => shuffledIndices(-1, 1)).toThrow(ConfigError);
  });
});
