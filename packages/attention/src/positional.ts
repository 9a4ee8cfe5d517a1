/**
 * Positional information: sinusoidal (Vaswani et al. 2017 §3.5), learned (GPT-2), and rotary
 * (RoPE, Su et al. 2021). RoPE comes in two pairings of the feature dimensions:
 *   'half'        (GPT-NeoX, Hugging Face LLaMA): dimension i rotates with i + d/2 ("rotate half");
 *   'interleaved' (RoFormer, GPT-J, Meta's LLaMA): dimension 2i rotates with 2i + 1.
 * Both rotate the pair by angle p · θ_i with θ_i = base^(-2i/d); they differ only in which features
 * form a pair, so weights trained with one need a permutation of q/k features to use the other.
 */
import { ConfigError, InputError, positiveInteger, ShapeError } from '@strand/base';
import { createParameter, deriveSeed, initializers } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { tidy } from './tidy.js';

/**
 * The sinusoidal table: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)).
 * @returns [length, dim] for positions offset .. offset + length - 1
 */
export function sinusoidalEncoding(length: number, dim: number, offset = 0): tf.Tensor2D {
  const out = new Float32Array(length * dim);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < dim; i += 2) {
      const angle = (p + offset) / 10000 ** (i / dim);
      out[p * dim + i] = Math.sin(angle);
      if (i + 1 < dim) out[p * dim + i + 1] = Math.cos(angle);
    }
  }
  return tf.tensor2d(out, [length, dim]);
}

/** A learned position table [maxLength, dim]. */
export type LearnedPositionsParams = { readonly table: tf.Variable };

/** N(0, 0.02) entries, as GPT-2. */
export function initLearnedPositions(c: {
  maxLength: number;
  dim: number;
  seed: number;
}): LearnedPositionsParams {
  const shape = [positiveInteger(c.maxLength, 'maxLength'), positiveInteger(c.dim, 'dim')];
  return {
    table: createParameter(initializers.normal({ stddev: 0.02 }), shape, deriveSeed(c.seed, 'positions')),
  };
}

/**
 * Rows offset .. offset + length - 1 of the table.
 * @returns [length, dim]
 * @throws InputError when the positions run past the table (naming its size and the position asked for).
 */
export function learnedPositions(p: LearnedPositionsParams, length: number, offset = 0): tf.Tensor2D {
  const [maxLength, dim] = p.table.shape as [number, number];
  if (offset + length > maxLength) {
    throw new InputError({
      what: `sequence of length ${length} starting at position ${offset}`,
      expected: `at most ${maxLength} positions (the learned position table's size)`,
      received: `${offset + length} positions`,
      hint: 'shorten the input, or use sinusoidal or rotary positions, which have no table',
    });
  }
  return tf.slice(p.table, [offset, 0], [length, dim]) as tf.Tensor2D;
}

export type RopeStyle = 'half' | 'interleaved';

export interface RopeOptions {
  /** Pairing of the feature dimensions; see the file comment. Default 'half'. */
  readonly style?: RopeStyle;
  /** θ_i = base^(-2i/d). Default 10000. */
  readonly base?: number;
  /** Position of the first row of x (the number of cached tokens). Default 0. */
  readonly offset?: number;
}

/** cos and sin of p · θ_i: each [length, dim / 2]. */
function angles(
  length: number,
  dim: number,
  offset: number,
  base: number,
): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const half = dim / 2;
  const cos = new Float32Array(length * half);
  const sin = new Float32Array(length * half);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < half; i++) {
      const a = (p + offset) * base ** ((-2 * i) / dim);
      cos[p * half + i] = Math.cos(a);
      sin[p * half + i] = Math.sin(a);
    }
  }
  return { cos: tf.tensor2d(cos, [length, half]), sin: tf.tensor2d(sin, [length, half]) };
}

/**
 * Rotary position embedding of queries or keys.
 * @param x [..., time, dim] (dim even; per head)
 * @returns [..., time, dim]: each feature pair (x_a, x_b) of row t -> (x_a cos − x_b sin, x_b cos + x_a sin)
 *   at angle (offset + t) · θ_i.
 */
export function applyRope(
  x: tf.Tensor,
  { style = 'half', base = 10000, offset = 0 }: RopeOptions = {},
): tf.Tensor {
  const dim = x.shape[x.rank - 1]!;
  if (x.rank < 2 || dim % 2 !== 0)
    throw new ShapeError('rope input', '[..., time, dim] with an even dim', x.shape);
  if (style !== 'half' && style !== 'interleaved') {
    throw new ConfigError(`rope style must be 'half' or 'interleaved', received ${String(style)}`, 'style');
  }
  const time = x.shape[x.rank - 2]!;
  return tidy(() => {
    const { cos, sin } = angles(time, dim, offset, base); // [T, d/2]
    if (style === 'half') {
      const [x1, x2] = tf.split(x, 2, -1) as [tf.Tensor, tf.Tensor]; // [..., T, d/2] each
      const a = tf.sub(tf.mul(x1, cos), tf.mul(x2, sin));
      const b = tf.add(tf.mul(x2, cos), tf.mul(x1, sin));
      return tf.concat([a, b], -1);
    }
    const pairs = tf.reshape(x, [...x.shape.slice(0, -1), dim / 2, 2]); // [..., T, d/2, 2]
    const [x1, x2] = tf.split(pairs, 2, x.rank).map((t) => tf.squeeze(t, [x.rank])) as [tf.Tensor, tf.Tensor];
    const a = tf.sub(tf.mul(x1, cos), tf.mul(x2, sin));
    const b = tf.add(tf.mul(x2, cos), tf.mul(x1, sin));
    return tf.reshape(tf.stack([a, b], x.rank), x.shape); // interleave back: [..., T, d]
  });
}
