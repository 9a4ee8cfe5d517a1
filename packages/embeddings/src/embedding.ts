import { ConfigError, deriveSeed, NonFiniteError, ShapeError } from '@strand/base';
import { createParameter, type Initializer, initializers } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkedIds, type Ids } from './one-hot.js';

/** A trainable lookup table. */
export type EmbeddingParams = {
  /** [vocabSize, dim]; row `paddingIdx` (if any) is zero. */
  readonly weight: tf.Variable;
};

export interface EmbeddingConfig {
  readonly vocabSize: number;
  readonly dim: number;
  /** A row kept at zero, with zero gradient (pass the same value to `embed`). */
  readonly paddingIdx?: number;
  /** Default normal({ stddev: 1 }) (PyTorch's nn.Embedding). */
  readonly init?: Initializer;
  /** The table uses deriveSeed(seed, 'weight'). */
  readonly seed: number;
}

function checkPadding(paddingIdx: number | undefined, vocabSize: number): void {
  if (
    paddingIdx !== undefined &&
    !(Number.isInteger(paddingIdx) && paddingIdx >= 0 && paddingIdx < vocabSize)
  ) {
    throw new ConfigError(
      `paddingIdx must be an integer in [0, ${vocabSize - 1}], received ${paddingIdx}`,
      'paddingIdx',
    );
  }
}

/**
 * Creates an embedding table; the padding row, if any, starts at zero.
 *
 * @example
 * const p = initEmbedding({ vocabSize: 1000, dim: 64, paddingIdx: 0, seed: 1 });
 * const x = embed(p, ids, { paddingIdx: 0 }); // ids [batch, time] -> [batch, time, 64]
 */
export function initEmbedding(config: EmbeddingConfig): EmbeddingParams {
  const { vocabSize, dim, paddingIdx, seed } = config;
  for (const [field, v] of [
    ['vocabSize', vocabSize],
    ['dim', dim],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new ConfigError(`${field} must be a positive integer, received ${v}`, field);
  }
  checkPadding(paddingIdx, vocabSize);
  const init = config.init ?? initializers.normal({ stddev: 1 });
  const weight = createParameter(init, [vocabSize, dim], deriveSeed(seed, 'weight'));
  if (paddingIdx !== undefined) zeroRow(weight, paddingIdx);
  return { weight };
}

/** Sets one row of a [rows, dim] variable to zero. */
export function zeroRow(weight: tf.Variable, row: number): void {
  tf.tidy(() => {
    const keep = tf.tensor2d(
      Float32Array.from({ length: weight.shape[0]! }, (_, i) => (i === row ? 0 : 1)),
      [weight.shape[0]!, 1],
    );
    weight.assign(tf.add(tf.mul(weight, keep), 0)); // + 0 turns the -0 of negative entries into +0
  });
}

export interface EmbedOptions {
  /** Positions holding this id give zero vectors and send no gradient to its row. */
  readonly paddingIdx?: number;
  /**
   * Default true: ids are read back and checked against [0, vocabSize) (a sync read for tensors
   * on GPU backends). Turn off only for ids already known to be in range.
   */
  readonly checkIds?: boolean;
  /**
   * Default false. When true, the looked-up rows are read back and a NaN or Infinity raises a
   * NonFiniteError naming the tensor (`name`), the table row and `step` (for the trainer's NaN guard).
   * A sync read, like `checkIds`.
   */
  readonly checkFinite?: boolean;
  /** Names the table in NonFiniteError messages. Default 'embedding weight'. */
  readonly name?: string;
  /** The training step, reported by NonFiniteError. Default -1 (none). */
  readonly step?: number;
}

/**
 * Looks up rows: ids [...] -> [..., dim]. The gradient with respect to the table is a
 * scatter-add of the incoming gradient (tfjs' gather gradient, UnsortedSegmentSum).
 *
 * @throws IdOutOfRangeError naming the first id outside [0, vocabSize) and its position.
 * @throws NonFiniteError (with `checkFinite`) naming the table, the first row holding NaN or Inf, and `step`.
 */
export function embed(
  p: EmbeddingParams,
  ids: Ids,
  {
    paddingIdx,
    checkIds = true,
    checkFinite = false,
    name = 'embedding weight',
    step = -1,
  }: EmbedOptions = {},
): tf.Tensor {
  if (p.weight.rank !== 2) throw new ShapeError('embedding weight', [null, null], p.weight.shape);
  const [vocabSize, dim] = p.weight.shape as [number, number];
  checkPadding(paddingIdx, vocabSize);
  return tf.tidy(() => {
    let idx: tf.Tensor;
    if (checkIds || !(ids instanceof tf.Tensor)) {
      const { values, shape } = checkedIds(ids, vocabSize, 'embed');
      idx = tf.tensor(values, shape, 'int32');
    } else {
      idx = ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32');
    }
    const flat = tf.reshape(idx, [-1]); // [n]
    let rows = tf.gather(p.weight, flat); // [n, dim]
    if (checkFinite) throwIfNonFinite(rows, flat, name, step);
    if (paddingIdx !== undefined) {
      // Masking the output also masks the gradient, so the padding row never moves.
      const keep = tf.expandDims(tf.cast(tf.notEqual(flat, tf.scalar(paddingIdx, 'int32')), 'float32'), 1); // [n, 1]
      rows = tf.mul(rows, keep);
    }
    return tf.reshape(rows, [...idx.shape, dim]); // [..., dim]
  });
}

/** rows [n, dim] gathered at ids flat [n]: a NonFiniteError for the first NaN/Inf, naming its table row. */
function throwIfNonFinite(rows: tf.Tensor, flat: tf.Tensor, name: string, step: number): void {
  const finite = tf.isFinite(rows).dataSync(); // [n * dim], 1 = finite
  const k = finite.indexOf(0);
  if (k < 0) return;
  const dim = rows.shape[1]!;
  const position = Math.floor(k / dim);
  const row = flat.dataSync()[position]!;
  const value = rows.dataSync()[k]!;
  throw new NonFiniteError(
    name,
    `${value} in row ${row}, column ${k % dim} (looked up at position ${position})`,
    step,
  );
}
