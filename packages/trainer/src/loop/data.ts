/**
 * What the loop trains on: a `DataSource` hands out batch `index` of epoch `epoch` as plain
 * Int32Arrays. The (epoch, index) pair is the whole data position, so a resumed run asks for the
 * same pair and gets the same batch; no hidden iterator state.
 */
import { deriveSeed, InputError, nonNegativeInteger, positiveInteger, Rng, rate } from '@strand/base';
import { lmStreams, padBatch, randomWindows, shuffledIndices } from '@strand/data';

export interface Batch {
  /** [batch * length] row-major input ids. */
  readonly inputs: Int32Array;
  /** [batch * length] per-step targets, or [batch] for many-to-one models. */
  readonly targets: Int32Array;
  readonly batch: number;
  readonly length: number;
  /** [batch * length], 1 for real steps and 0 for padding; absent when every step is real. */
  readonly mask?: Float32Array;
  /** [batch], 1 for the rows whose carried state is zeroed before this batch (contiguous sources only). */
  readonly resets?: Uint8Array;
}

export interface DataSource {
  /** True when batch i + 1 continues batch i's rows (truncated BPTT: the loop carries the state). */
  readonly contiguous: boolean;
  readonly batchesPerEpoch: number;
  batch(epoch: number, index: number): Batch;
}

export interface StreamDataOptions {
  readonly batchSize: number;
  readonly chunkLength: number;
  /**
   * Probability that a row's carried state is zeroed before a chunk (drawn per row and chunk from
   * deriveSeed(seed, 'reset', epoch, index)). Streams otherwise start from zeros once an epoch, so the
   * model rarely sees a zero state, and evaluation (or sampling) from one reads far worse than the
   * training loss until late in training; occasional resets teach it to start, at the cost of the
   * context lost at each reset (a chunk of 128 with p = 0.05: one reset per ~2,600 characters). Default 0.
   */
  readonly resetProbability?: number;
  /** Seed of the resets. Default 0. */
  readonly seed?: number;
}

/**
 * Contiguous streams for truncated BPTT (`lmStreams` of @strand/data): the state is carried from
 * chunk to chunk, detached in between, and reset at every epoch (and, with `resetProbability`, at random).
 */
export function streamData(ids: Int32Array, options: StreamDataOptions): DataSource {
  const s = lmStreams(ids, options);
  const p = rate(options.resetProbability ?? 0, 'resetProbability');
  const seed = nonNegativeInteger(options.seed ?? 0, 'seed');
  return {
    contiguous: true,
    batchesPerEpoch: s.numChunks,
    batch: (epoch, i) => {
      const chunk = s.chunk(i);
      if (p === 0 || i === 0) return chunk;
      const rng = new Rng(deriveSeed(seed, 'reset', epoch, i));
      const resets = Uint8Array.from({ length: chunk.batch }, () => (rng.next() < p ? 1 : 0));
      return resets.includes(1) ? { ...chunk, resets } : chunk;
    },
  };
}

/**
 * Random windows (nanoGPT's get_batch), each batch drawn from its own generator seeded by
 * (seed, epoch, index): an "epoch" is `batchesPerEpoch` batches.
 */
export function windowData(
  ids: Int32Array,
  options: { batchSize: number; length: number; batchesPerEpoch: number; seed?: number },
): DataSource {
  const n = positiveInteger(options.batchesPerEpoch, 'batchesPerEpoch');
  const seed = nonNegativeInteger(options.seed ?? 0, 'seed');
  return {
    contiguous: false,
    batchesPerEpoch: n,
    batch: (epoch, i) =>
      randomWindows(ids, {
        batchSize: options.batchSize,
        length: options.length,
        rng: new Rng(deriveSeed(seed, 'window', epoch, i)),
      }),
  };
}

/** One example of a classification or tagging set. */
export interface LabelledSequence {
  readonly ids: ArrayLike<number>;
  /** A class id (classifier), or one tag id per step (tagger). */
  readonly label: number | ArrayLike<number>;
}

/**
 * Padded, masked batches of labelled sequences, reshuffled every epoch with deriveSeed(seed, epoch).
 * Per-step labels are padded with `padId` too (the mask keeps them out of the loss).
 */
export function labelledData(
  examples: readonly LabelledSequence[],
  options: { batchSize: number; seed?: number; shuffle?: boolean; padId?: number },
): DataSource {
  if (examples.length === 0) {
    throw new InputError({ what: 'labelledData examples', expected: 'at least one example', received: '0' });
  }
  const batchSize = positiveInteger(options.batchSize, 'batchSize');
  const seed = nonNegativeInteger(options.seed ?? 0, 'seed');
  const shuffle = options.shuffle ?? true;
  const perStep = typeof examples[0]!.label !== 'number';
  const padId = options.padId ?? 0;
  return {
    contiguous: false,
    batchesPerEpoch: Math.ceil(examples.length / batchSize),
    batch(epoch, index) {
      const order = shuffle ? shuffledIndices(examples.length, deriveSeed(seed, 'epoch', epoch)) : null;
      const rows: LabelledSequence[] = [];
      for (let k = index * batchSize; k < Math.min(examples.length, (index + 1) * batchSize); k++) {
        rows.push(examples[order ? order[k]! : k]!);
      }
      const p = padBatch(
        rows.map((r) => r.ids),
        { padId },
      );
      const targets = perStep
        ? padBatch(
            rows.map((r) => r.label as ArrayLike<number>),
            { padId, maxLength: p.time },
          ).ids
        : Int32Array.from(rows, (r) => r.label as number);
      return { inputs: p.ids, targets, batch: p.batch, length: p.time, mask: p.mask };
    },
  };
}
