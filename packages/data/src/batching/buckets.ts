/** Batches of similar-length sequences, to waste little padding. */
import { positiveInteger, Rng } from '@strand/base';
import { checkId } from './check.js';

export interface BucketBatchesOptions {
  /** Indices per batch; the last batch may be smaller (unless `dropLast`). */
  readonly batchSize: number;
  /** Seed of the order inside buckets and of the batch order. */
  readonly seed: number;
  /** Lengths l with the same floor(l / bucketWidth) are interchangeable. Default 1 (exact lengths). */
  readonly bucketWidth?: number;
  /** Shuffle inside buckets and the batch order. Default true; false gives batches by ascending length. */
  readonly shuffle?: boolean;
  /** Leave out a last batch smaller than batchSize. Default false. */
  readonly dropLast?: boolean;
}

/**
 * Index batches over sequences with lengths `lengths`: indices ordered by bucket
 * `floor(length / bucketWidth)` (ascending; inside a bucket in seeded random order), cut into
 * consecutive batches of `batchSize`, and the batches shuffled with the seed. So each batch holds
 * lengths from one or two neighbouring buckets. With `shuffle: false` indices are sorted by length
 * (ties by index) and batches come in that order.
 *
 * @example
 * bucketBatches([5, 1, 4, 2], { batchSize: 2, seed: 0, shuffle: false }) // [[1, 3], [2, 0]]
 */
export function bucketBatches(lengths: ArrayLike<number>, options: BucketBatchesOptions): number[][] {
  const batchSize = positiveInteger(options.batchSize, 'batchSize');
  const bucketWidth = positiveInteger(options.bucketWidth ?? 1, 'bucketWidth');
  const shuffle = options.shuffle ?? true;
  const rng = new Rng(options.seed);
  const n = lengths.length;
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++)
    key[i] = Math.floor(checkId(lengths[i], `bucketBatches length ${i}`) / bucketWidth);
  // Inside a bucket: a random rank when shuffling (a seeded permutation), else by length, then index.
  const rank = Array.from({ length: n }, (_, i) => i);
  if (shuffle) rng.shuffle(rank);
  const exact = shuffle ? key : Float64Array.from({ length: n }, (_, i) => lengths[i]!);
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => key[a]! - key[b]! || exact[a]! - exact[b]! || rank[a]! - rank[b]!,
  );
  const batches: number[][] = [];
  for (let s = 0; s < n; s += batchSize) {
    const batch = order.slice(s, s + batchSize);
    if (batch.length < batchSize && options.dropLast) break;
    batches.push(batch);
  }
  return shuffle ? rng.shuffle(batches) : batches;
}
