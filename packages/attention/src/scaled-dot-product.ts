import { ConfigError, ShapeError } from '@strand/base';
import { dropout } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { asMask, causalMask, combineMasks, maskedSoftmax } from './mask.js';
import { tidy } from './tidy.js';

export interface AttentionOptions {
  /** Broadcastable to [..., tq, tk]; 1/true = may attend, 0/false = may not. */
  readonly mask?: tf.Tensor;
  /** Query i attends only to keys j ≤ i + (tk - tq) (queries aligned with the end of the keys). */
  readonly causal?: boolean;
  /** Dropout on the attention weights (as PyTorch), only when `training`. Default 0. */
  readonly dropout?: number;
  readonly training?: boolean;
  /** Seed of the dropout mask; required when training with dropout > 0. */
  readonly seed?: number;
  /** Multiplies the scores; default 1 / √d. */
  readonly scale?: number;
}

export interface AttentionResult {
  /** [..., tq, dv] */
  readonly output: tf.Tensor;
  /** [..., tq, tk]: each row sums to 1 over its attendable keys, or is all zero when there are none. */
  readonly weights: tf.Tensor;
}

/**
 * softmax(q kᵀ / √d + mask) v (Vaswani et al. 2017, eq. 1).
 *
 * A fully masked row gives zero weights, zero output and zero gradient (PyTorch gives NaN).
 *
 * @param q [..., tq, d]
 * @param k [..., tk, d] (same leading axes as q)
 * @param v [..., tk, dv]
 * @returns output [..., tq, dv] and weights [..., tq, tk] (after dropout, as they were applied)
 * @throws ShapeError when the sizes disagree or the mask does not broadcast to [..., tq, tk].
 *
 * @example
 * const { output, weights } = scaledDotProductAttention(q, k, v, { causal: true });
 */
export function scaledDotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  options: AttentionOptions = {},
): AttentionResult {
  checkQkv(q, k, v);
  const tq = q.shape[q.rank - 2]!;
  const tk = k.shape[k.rank - 2]!;
  const d = q.shape[q.rank - 1]!;
  const scoreShape = [...q.shape.slice(0, -1), tk];
  const rate = options.dropout ?? 0;
  if (!(rate >= 0 && rate < 1))
    throw new ConfigError(`dropout must be in [0, 1), received ${rate}`, 'dropout');
  return tidy(() => {
    const scale = options.scale ?? 1 / Math.sqrt(d);
    // Scaling q rather than the scores (as PyTorch) saves one [..., tq, tk] tensor for the backward pass.
    const scores = tf.matMul(tf.mul(q, scale), k, false, true); // [..., tq, tk]
    const given = options.mask === undefined ? undefined : asMask(options.mask, scoreShape, 'attention mask');
    const mask = combineMasks(given, options.causal ? causalMask(tq, tk) : undefined);
    // A causal mask alone (queries aligned with the end of the keys, tk >= tq) leaves every row a key.
    const emptyRowsPossible = given !== undefined || tk < tq;
    let weights = maskedSoftmax(scores, mask, emptyRowsPossible); // [..., tq, tk]
    if (options.training && rate > 0) {
      weights = dropout(weights, {
        rate,
        training: true,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      });
    }
    const output = tf.matMul(weights, v); // [..., tq, dv]
    return { output, weights };
  });
}

function checkQkv(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): void {
  if (q.rank < 2) throw new ShapeError('query', 'rank >= 2: [..., tq, d]', q.shape);
  const lead = q.shape.slice(0, -2);
  const d = q.shape[q.rank - 1]!;
  if (k.rank !== q.rank || k.shape[k.rank - 1] !== d || k.shape.slice(0, -2).some((s, i) => s !== lead[i])) {
    throw new ShapeError('key', [...lead, null, d], k.shape);
  }
  const tk = k.shape[k.rank - 2]!;
  if (v.rank !== q.rank || v.shape[v.rank - 2] !== tk || v.shape.slice(0, -2).some((s, i) => s !== lead[i])) {
    throw new ShapeError('value', [...lead, tk, null], v.shape);
  }
}
