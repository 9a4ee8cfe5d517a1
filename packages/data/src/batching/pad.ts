/** Padded batches of variable-length id sequences, with a mask. */
import { describeValue, InputError, nonNegativeInteger, PAD_ID } from '@strand/base';
import { checkId } from './check.js';

export interface PadBatchOptions {
  /** Id written into padding. Default PAD_ID (0). */
  readonly padId?: number;
  /**
   * Fixed time length of the batch: every row is padded to it (as Keras' `pad_sequences(maxlen)`).
   * A longer sequence is an InputError unless `truncate` is true. Default: the longest sequence.
   */
  readonly maxLength?: number;
  /** Keep the first `maxLength` ids of longer sequences instead of failing. Default false. */
  readonly truncate?: boolean;
}

/** `ids`/`mask` are [batch * time] row-major; `lengths[b]` = real steps of row b (after truncation). */
export interface PaddedBatch {
  readonly ids: Int32Array;
  /** 1 for real steps, 0 for padding. */
  readonly mask: Float32Array;
  readonly lengths: Int32Array;
  readonly batch: number;
  readonly time: number;
}

/**
 * Pads sequences at the end to a common length: `ids[b * time + t]` is sequence b's id t, or
 * `padId` past its end, and `mask[b * time + t]` is 1 or 0 accordingly.
 *
 * @example
 * padBatch([[5, 6, 7], [8]]) // ids [5,6,7, 8,0,0], mask [1,1,1, 1,0,0], lengths [3, 1], batch 2, time 3
 */
export function padBatch(
  sequences: readonly ArrayLike<number>[],
  options: PadBatchOptions = {},
): PaddedBatch {
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new InputError({
      what: 'padBatch sequences',
      expected: 'a non-empty array of id sequences',
      received: describeValue(sequences),
    });
  }
  const padId = checkId(options.padId ?? PAD_ID, 'padBatch padId');
  const maxLength =
    options.maxLength === undefined ? undefined : nonNegativeInteger(options.maxLength, 'maxLength');
  const truncate = options.truncate ?? false;
  const batch = sequences.length;
  const lengths = new Int32Array(batch);
  let longest = 0;
  for (let b = 0; b < batch; b++) {
    const s = sequences[b];
    if (s === null || typeof s !== 'object' || typeof s.length !== 'number') {
      throw new InputError({
        what: `padBatch sequence ${b}`,
        expected: 'an array of ids',
        received: describeValue(s),
      });
    }
    let n = s.length;
    if (maxLength !== undefined && n > maxLength) {
      if (!truncate) {
        throw new InputError({
          what: `padBatch sequence ${b}`,
          expected: `at most maxLength = ${maxLength} ids`,
          received: `${n} ids`,
          hint: 'pass truncate: true to keep the first maxLength ids',
        });
      }
      n = maxLength;
    }
    lengths[b] = n;
    if (n > longest) longest = n;
  }
  const time = maxLength ?? longest;
  const ids = new Int32Array(batch * time).fill(padId);
  const mask = new Float32Array(batch * time);
  for (let b = 0; b < batch; b++) {
    const s = sequences[b]!;
    for (let t = 0; t < lengths[b]!; t++) {
      ids[b * time + t] = checkId(s[t], `padBatch id ${t} of sequence ${b}`);
      mask[b * time + t] = 1;
    }
  }
  return { ids, mask, lengths, batch, time };
}
