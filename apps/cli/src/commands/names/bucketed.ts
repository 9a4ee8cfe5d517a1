/**
 * Shuffled, length-bucketed batches of labelled sequences: each epoch shuffles the examples, sorts
 * pools of 50 batches by length, cuts them into batches and shuffles the batches. A recurrent
 * encoder runs every padded step, so a batch of names of similar lengths costs about half of a
 * random one (names are 2 to 20 characters, 7 on average) with the same examples per epoch.
 * The trainer's `labelledData` pads random batches; this is the same `DataSource` otherwise.
 */
import { deriveSeed, InputError, nonNegativeInteger, positiveInteger, Rng } from '@strand/base';
import { padBatch } from '@strand/data';
import type { DataSource } from '@strand/trainer';
import type { Example } from './classifier.js';

const POOL_BATCHES = 50;

export function bucketedData(
  examples: readonly Example[],
  options: { readonly batchSize: number; readonly seed?: number },
): DataSource {
  if (examples.length === 0)
    throw new InputError({ what: 'bucketedData examples', expected: 'at least one example', received: '0' });
  const batchSize = positiveInteger(options.batchSize, 'batchSize');
  const seed = nonNegativeInteger(options.seed ?? 0, 'seed');
  let cached: { epoch: number; batches: number[][] } | null = null;
  const epochBatches = (epoch: number): number[][] => {
    if (cached?.epoch === epoch) return cached.batches;
    const rng = new Rng(deriveSeed(seed, 'bucketed', epoch));
    const order = rng.shuffle([...examples.keys()]);
    const batches: number[][] = [];
    const pool = POOL_BATCHES * batchSize;
    for (let p = 0; p < order.length; p += pool) {
      const sorted = order
        .slice(p, p + pool)
        .sort((a, b) => examples[a]!.ids.length - examples[b]!.ids.length);
      for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize));
    }
    cached = { epoch, batches: rng.shuffle(batches) };
    return cached.batches;
  };
  return {
    contiguous: false,
    batchesPerEpoch: Math.ceil(examples.length / batchSize),
    batch(epoch, index) {
      const rows = epochBatches(epoch)[index]!.map((k) => examples[k]!);
      const p = padBatch(
        rows.map((r) => r.ids),
        { padId: 0 },
      );
      return {
        inputs: p.ids,
        targets: Int32Array.from(rows, (r) => r.label),
        batch: p.batch,
        length: p.time,
        mask: p.mask,
      };
    },
  };
}
