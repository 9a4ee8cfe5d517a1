/**
 * Masks. ONE convention for the whole library: 1 (or true) = may attend, 0 (or false) = may not.
 * PyTorch uses the opposite for boolean masks (true = masked) and an additive float mask
 * (0 / -inf); `fromTorchMask` converts both at the boundary.
 *
 * A row whose keys are all masked gives zero weights, zero output and zero gradient (PyTorch gives
 * NaN there): `maskedSoftmax` multiplies the softmax by the mask after the large negative fill.
 */
import { formatShape, InputError, ShapeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { tidy } from './tidy.js';

/** Added to masked scores before the softmax; exp(-1e9 - max) is exactly 0 in float32. */
const MASKED_SCORE = -1e9;

/**
 * Lower-triangular mask [tq, tk]: query i may attend to key j when j ≤ i + offset.
 * The default offset tk - tq aligns the queries with the END of the keys, which is what a
 * key/value cache needs (tq new tokens after tk - tq cached ones).
 *
 * @example
 * causalMask(3).arraySync(); // [[1,0,0],[1,1,0],[1,1,1]]
 */
export function causalMask(tq: number, tk = tq, offset = tk - tq): tf.Tensor2D {
  const out = new Float32Array(tq * tk);
  for (let i = 0; i < tq; i++) for (let j = 0; j < tk && j <= i + offset; j++) out[i * tk + j] = 1;
  return tf.tensor2d(out, [tq, tk]);
}

/**
 * [batch, maxLength] mask of right-padded sequences: 1 for the first lengths[b] positions.
 * Use it as a key-padding mask.
 */
export function lengthMask(lengths: readonly number[] | Int32Array, maxLength: number): tf.Tensor2D {
  const out = new Float32Array(lengths.length * maxLength);
  Array.from(lengths).forEach((len, b) => {
    if (!Number.isInteger(len) || len < 0 || len > maxLength) {
      throw new InputError({
        what: `lengths[${b}]`,
        expected: `an integer in [0, ${maxLength}]`,
        received: String(len),
      });
    }
    out.fill(1, b * maxLength, b * maxLength + len);
  });
  return tf.tensor2d(out, [lengths.length, maxLength]);
}

/**
 * Converts a PyTorch attention or key-padding mask to Strand's convention.
 * - bool (true = masked, PyTorch's `attn_mask`/`key_padding_mask`) -> its negation;
 * - float (additive: 0 = attend, -inf = masked) -> 1 where 0, 0 where -inf. Other values (a soft
 *   additive bias) have no 0/1 equivalent and give an InputError.
 * @returns float32 mask of the same shape, 1 = may attend.
 */
export function fromTorchMask(mask: tf.Tensor): tf.Tensor {
  if (mask.dtype === 'bool') return tidy(() => tf.cast(tf.logicalNot(mask), 'float32'));
  const values = mask.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 0 && v !== Number.NEGATIVE_INFINITY) {
      throw new InputError({
        what: `PyTorch float mask at flat index ${i}`,
        expected: '0 (attend) or -inf (masked)',
        received: String(v),
        hint: 'an additive float mask with other values is a bias, not a mask; add it to the scores yourself',
      });
    }
  }
  return tidy(() => tf.cast(tf.equal(mask, 0), 'float32'));
}

/** Strand mask (1 = may attend) -> PyTorch boolean mask (true = masked). */
export function toTorchMask(mask: tf.Tensor): tf.Tensor {
  return tidy(() => tf.equal(tf.cast(mask, 'float32'), 0));
}

/**
 * Checks that `mask` broadcasts to `target` (numpy rules, aligned at the right) and returns it as
 * float32 0/1. Throws a ShapeError naming both shapes.
 */
export function asMask(mask: tf.Tensor, target: readonly number[], what: string): tf.Tensor {
  const ok =
    mask.rank <= target.length &&
    mask.shape.every((d, i) => {
      const t = target[target.length - mask.rank + i]!;
      return d === t || d === 1;
    });
  if (!ok) {
    throw new ShapeError(
      what,
      `a shape that broadcasts to ${formatShape(target)} (each axis equal or 1)`,
      mask.shape,
    );
  }
  return mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32');
}

/** [batch, tk] key-padding mask -> [batch, 1, 1, tk], to broadcast over heads and queries. */
export function keyPaddingToAttention(mask: tf.Tensor2D): tf.Tensor4D {
  const [b, tk] = mask.shape;
  return tf.reshape(mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32'), [b, 1, 1, tk]);
}

/** Multiplies masks (both 1 = may attend); either may be undefined. */
export function combineMasks(a: tf.Tensor | undefined, b: tf.Tensor | undefined): tf.Tensor | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return tf.mul(a, b);
}

/**
 * softmax over the last axis, restricted to positions where mask = 1; rows without any such
 * position come out all zero (and so do their gradients), never NaN.
 * @param scores [..., tk]
 * @param mask float 0/1 broadcastable to scores, or undefined
 * @param mayHaveEmptyRows false when every row is known to keep a position (a causal mask alone):
 *   the final multiplication by the mask, which only matters for empty rows, is skipped.
 */
export function maskedSoftmax(
  scores: tf.Tensor,
  mask: tf.Tensor | undefined,
  mayHaveEmptyRows = true,
): tf.Tensor {
  return tidy(() => {
    if (mask === undefined) return tf.softmax(scores);
    const filled = tf.add(scores, tf.mul(tf.sub(mask, 1), -MASKED_SCORE)); // masked -> score - 1e9
    const weights = tf.softmax(filled); // exp(-1e9 - max) is exactly 0 beside any unmasked score
    return mayHaveEmptyRows ? tf.mul(weights, mask) : weights; // a fully masked row: uniform * 0 = 0
  });
}
