/** Random training windows from one long id sequence (nanoGPT's get_batch). */
import { describeValue, InputError, positiveInteger, Rng } from '@strand/base';
import { int32Ids } from './check.js';
import type { LmChunk } from './lm-streams.js';

export interface RandomWindowsOptions {
  /** Windows per batch (rows). */
  readonly batchSize: number;
  /** Input steps per window; each window reads `length + 1` ids. */
  readonly length: number;
  /** The generator that draws the starts; it advances by `batchSize` draws. */
  readonly rng: Rng;
}

/**
 * `batchSize` windows, each starting at a uniform position in [0, n - length) drawn in row order
 * with `rng.int`: row b's inputs are ids[s_b, s_b + length) and its targets ids[s_b + 1, s_b + length + 1).
 * Returns [batchSize * length] row-major arrays, like `lmStreams` chunks.
 *
 * @example
 * randomWindows(ids, { batchSize: 64, length: 256, rng: new Rng(seed) })
 */
export function randomWindows(ids: Int32Array, options: RandomWindowsOptions): LmChunk {
  const data = int32Ids(ids, 'randomWindows ids');
  const batchSize = positiveInteger(options.batchSize, 'batchSize');
  const length = positiveInteger(options.length, 'length');
  const rng = options.rng;
  if (!(rng instanceof Rng)) {
    throw new InputError({
      what: 'randomWindows rng',
      expected: 'an Rng from @strand/base',
      received: describeValue(rng),
    });
  }
  if (data.length < length + 1) {
    throw new InputError({
      what: 'randomWindows ids',
      expected: `at least length + 1 = ${length + 1} ids`,
      received: `${data.length} ids`,
      hint: 'use a shorter window length',
    });
  }
  const inputs = new Int32Array(batchSize * length);
  const targets = new Int32Array(batchSize * length);
  const starts = data.length - length;
  for (let b = 0; b < batchSize; b++) {
    const s = rng.int(starts);
    inputs.set(data.subarray(s, s + length), b * length);
    targets.set(data.subarray(s + 1, s + 1 + length), b * length);
  }
  return { inputs, targets, batch: batchSize, length };
}
