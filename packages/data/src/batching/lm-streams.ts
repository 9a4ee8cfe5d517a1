/** Truncated-BPTT batches over one long id sequence (PyTorch word_language_model's batchify + get_batch). */
import { IdOutOfRangeError, InputError, positiveInteger } from '@strand/base';
import { int32Ids } from './check.js';

/** One chunk: `inputs`/`targets` are [batch * length] row-major (row b = stream b). */
export interface LmChunk {
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  readonly batch: number;
  readonly length: number;
}

export interface LmStreams {
  readonly batchSize: number;
  readonly chunkLength: number;
  /** Chunks per epoch: ceil((streamLength - 1) / chunkLength). */
  readonly numChunks: number;
  /** Ids per stream: floor(ids.length / batchSize); the remainder at the end is dropped. */
  readonly streamLength: number;
  /** Chunk `i` in [0, numChunks). */
  chunk(i: number): LmChunk;
}

export interface LmStreamsOptions {
  /** Parallel streams (rows of each chunk). */
  readonly batchSize: number;
  /** Time steps per chunk (the BPTT length); the last chunk may be shorter. */
  readonly chunkLength: number;
}

/**
 * Cuts `ids` into `batchSize` contiguous streams of `streamLength = floor(n / batchSize)` ids
 * (stream b = ids[b * streamLength, (b + 1) * streamLength)), read in chunks of `chunkLength` steps.
 * Chunk i, row b, step t: input = stream b at i * chunkLength + t, target = the id after it.
 * A recurrent model carries its state from chunk i to chunk i + 1 row by row, so each row reads
 * its stream without a break. The chunk index is the whole position: a resumed run asks for the
 * same index and gets the same batch. Same cut as PyTorch's word_language_model example.
 *
 * @example
 * const s = lmStreams(Int32Array.from({ length: 10 }, (_, i) => i), { batchSize: 2, chunkLength: 3 });
 * // streamLength 5, numChunks 2
 * s.chunk(0) // inputs [0,1,2, 5,6,7], targets [1,2,3, 6,7,8], batch 2, length 3
 * s.chunk(1) // inputs [3, 8], targets [4, 9], batch 2, length 1
 */
export function lmStreams(ids: Int32Array, options: LmStreamsOptions): LmStreams {
  const data = int32Ids(ids, 'lmStreams ids');
  const batchSize = positiveInteger(options.batchSize, 'batchSize');
  const chunkLength = positiveInteger(options.chunkLength, 'chunkLength');
  const streamLength = Math.floor(data.length / batchSize);
  if (streamLength < 2) {
    throw new InputError({
      what: 'lmStreams ids',
      expected: `at least ${2 * batchSize} ids (2 per stream for batchSize ${batchSize})`,
      received: `${data.length} ids`,
      hint: 'use a smaller batchSize or more text',
    });
  }
  const steps = streamLength - 1; // the last id of a stream is only a target
  const numChunks = Math.ceil(steps / chunkLength);
  return {
    batchSize,
    chunkLength,
    numChunks,
    streamLength,
    chunk(i: number): LmChunk {
      if (!Number.isInteger(i) || i < 0 || i >= numChunks)
        throw new IdOutOfRangeError(i, -1, numChunks, 'chunk index');
      const start = i * chunkLength;
      const length = Math.min(chunkLength, steps - start);
      const inputs = new Int32Array(batchSize * length);
      const targets = new Int32Array(batchSize * length);
      for (let b = 0; b < batchSize; b++) {
        const from = b * streamLength + start;
        inputs.set(data.subarray(from, from + length), b * length);
        targets.set(data.subarray(from + 1, from + 1 + length), b * length);
      }
      return { inputs, targets, batch: batchSize, length };
    },
  };
}
