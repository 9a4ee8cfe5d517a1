/**
 * Batches: encode several texts, truncate only when asked, pad to a common length. Rows are plain
 * number[][] (turning them into tensors is the embeddings package's job).
 */
import { positiveInteger } from '@strand/base';
import { type EncodeOptions, type Encoding, encode } from './encode.js';
import { ConfigError, SequenceTooLongError } from './errors.js';
import type { Pipeline } from './pipeline.js';

export interface BatchOptions extends EncodeOptions {
  /** 'longest': pad to the longest row; 'maxLength': pad every row to `maxLength`; false (default): ragged rows. */
  readonly padding?: 'longest' | 'maxLength' | false;
  /**
   * Cut rows longer than `maxLength` (the post-processor's `<bos>`/`<eos>` are kept). Without it a longer row
   * throws SequenceTooLongError: nothing is cut silently.
   */
  readonly truncation?: boolean;
  /** Upper bound on row length, special tokens included. */
  readonly maxLength?: number;
  /** Id used for padding; defaults to the `<pad>` special token. */
  readonly padId?: number;
}

export interface BatchEncoding {
  /** [batch, length] ids; rows have equal length when padding is on. */
  readonly ids: number[][];
  /** [batch, length]; 1 = real token, 0 = padding. */
  readonly attentionMask: number[][];
  readonly tokens: string[][];
  /** Offsets into each row's text; padding gets [0, 0]. */
  readonly offsets: [number, number][][];
  /** 1 for special tokens, padding included. */
  readonly specialTokensMask: number[][];
}

export function encodeBatch(
  p: Pipeline,
  texts: readonly string[],
  options: BatchOptions = {},
): BatchEncoding {
  const { padding = false, truncation = false, maxLength } = options;
  if (maxLength !== undefined) positiveInteger(maxLength, 'maxLength');
  if (truncation && maxLength === undefined)
    throw new ConfigError('truncation: true needs maxLength.', 'maxLength');
  if (padding === 'maxLength' && maxLength === undefined)
    throw new ConfigError("padding: 'maxLength' needs maxLength.", 'maxLength');
  const padId = padding === false ? -1 : resolvePadId(p, options.padId);

  const wrap = (options.addSpecialTokens ?? true) && p.postProcessor !== null;
  const added = wrap ? p.postProcessor!.prefix.length + p.postProcessor!.suffix.length : 0;
  if (truncation && maxLength! < added) {
    throw new ConfigError(
      `maxLength ${maxLength} cannot hold the ${added} special tokens added to every row.`,
      'maxLength',
    );
  }
  const rows = texts.map((text, index) => {
    const enc = encode(p, text, options);
    if (maxLength === undefined || enc.ids.length <= maxLength) return enc;
    if (!truncation) throw new SequenceTooLongError(index, enc.ids.length, maxLength);
    return truncate(
      enc,
      wrap ? p.postProcessor!.prefix.length : 0,
      wrap ? p.postProcessor!.suffix.length : 0,
      maxLength,
    );
  });

  const width =
    padding === 'maxLength'
      ? maxLength!
      : padding === 'longest'
        ? Math.max(0, ...rows.map((r) => r.ids.length))
        : 0;
  const padText = p.specials.byId.get(padId) ?? p.model.idToToken(padId) ?? '';
  return {
    ids: rows.map((r) => pad(r.ids, width, padId)),
    attentionMask: rows.map((r) => pad(new Array<number>(r.ids.length).fill(1), width, 0)),
    tokens: rows.map((r) => pad(r.tokens, width, padText)),
    offsets: rows.map((r) => pad<[number, number]>(r.offsets, width, [0, 0])),
    specialTokensMask: rows.map((r) => pad(r.specialTokensMask, width, 1)),
  };
}

function resolvePadId(p: Pipeline, padId: number | undefined): number {
  if (padId !== undefined) {
    if (!Number.isSafeInteger(padId) || padId < 0 || padId >= p.vocabSize) {
      throw new ConfigError(`padId must be an id in [0, ${p.vocabSize}), got ${padId}.`, 'padId');
    }
    return padId;
  }
  const id = p.specials.byContent.get('<pad>');
  if (id === undefined) {
    throw new ConfigError(
      'padding needs a pad id: this tokenizer has no <pad> special token, so pass padId.',
      'padId',
    );
  }
  return id;
}

/** Keeps the first `prefix` and last `suffix` tokens and cuts the content between them. */
function truncate(enc: Encoding, prefix: number, suffix: number, maxLength: number): Encoding {
  const keep = maxLength - prefix - suffix;
  const cut = <T>(row: T[]): T[] => [...row.slice(0, prefix + keep), ...row.slice(row.length - suffix)];
  return {
    ids: cut(enc.ids),
    tokens: cut(enc.tokens),
    offsets: cut(enc.offsets),
    specialTokensMask: cut(enc.specialTokensMask),
  };
}

function pad<T>(row: T[], width: number, value: T): T[] {
  if (row.length >= width) return row;
  const out = row.slice();
  while (out.length < width) out.push(value);
  return out;
}
