/**
 * Encoder-decoder attention (one query per sequence): a decoder state s attends over encoder
 * states h_1..h_T. Three score functions, as free functions with their weights as plain data:
 *
 *   dot      score(s, h) = s · h                       (Luong et al. 2015)
 *   general  score(s, h) = sᵀ W h                      (Luong et al. 2015, "multiplicative")
 *   additive score(s, h) = vᵀ tanh(W₁ s + W₂ h)        (Bahdanau et al. 2015, "concat")
 *
 * Each returns the context Σ_t a_t h_t and the weights a = softmax(scores) over unmasked positions.
 */
import { positiveInteger, ShapeError } from '@strand/base';
import { createParameter, deriveSeed, initializers } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { asMask, maskedSoftmax } from './mask.js';
import { tidy } from './tidy.js';

export interface ScoreOptions {
  /** [batch, time]; 1 = real encoder position, 0 = padding. */
  readonly mask?: tf.Tensor2D;
  /** [batch, time, valueSize]; what the weights average. Default: the keys. */
  readonly values?: tf.Tensor3D;
}

export interface ScoreResult {
  /** [batch, valueSize] */
  readonly context: tf.Tensor2D;
  /** [batch, time], summing to 1 over unmasked positions (all zero when none is unmasked). */
  readonly weights: tf.Tensor2D;
}

/** W: [querySize, keySize]. */
export type GeneralScoreParams = { readonly kernel: tf.Variable };

/** W₁: [querySize, attentionSize], W₂: [keySize, attentionSize], v: [attentionSize]. */
export type AdditiveScoreParams = {
  readonly queryKernel: tf.Variable;
  readonly keyKernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly v: tf.Variable;
};

/** The shared tail: masked softmax of [batch, time] scores, then the weighted sum of the values. */
function attend(scores: tf.Tensor2D, keys: tf.Tensor3D, { mask, values }: ScoreOptions): ScoreResult {
  const vals = values ?? keys;
  if (vals.rank !== 3 || vals.shape[0] !== keys.shape[0] || vals.shape[1] !== keys.shape[1]) {
    throw new ShapeError('values', [keys.shape[0], keys.shape[1], null], vals.shape);
  }
  const m = mask === undefined ? undefined : asMask(mask, scores.shape, 'attention mask');
  const weights = maskedSoftmax(scores, m) as tf.Tensor2D; // [B, T]
  const context = tf.squeeze(tf.matMul(tf.expandDims(weights, 1), vals), [1]) as tf.Tensor2D; // [B,1,T]·[B,T,V] -> [B,V]
  return { context, weights };
}

function checkQueryKeys(
  query: tf.Tensor,
  keys: tf.Tensor,
  querySize: number | null,
  keySize: number | null,
): void {
  if (query.rank !== 2 || (querySize !== null && query.shape[1] !== querySize)) {
    throw new ShapeError('attention query', [null, querySize], query.shape);
  }
  if (
    keys.rank !== 3 ||
    keys.shape[0] !== query.shape[0] ||
    (keySize !== null && keys.shape[2] !== keySize)
  ) {
    throw new ShapeError('attention keys', [query.shape[0]!, null, keySize], keys.shape);
  }
}

/**
 * Dot-product score s · h.
 * @param query [batch, d] (decoder state)
 * @param keys [batch, time, d] (encoder states)
 */
export function dotScore(query: tf.Tensor2D, keys: tf.Tensor3D, options: ScoreOptions = {}): ScoreResult {
  checkQueryKeys(query, keys, null, query.shape[1]);
  return tidy(() => {
    const scores = tf.squeeze(tf.matMul(keys, tf.expandDims(query, 2)), [2]) as tf.Tensor2D; // [B,T,d]·[B,d,1] -> [B,T]
    return attend(scores, keys, options);
  });
}

export function initGeneralScore(c: {
  querySize: number;
  keySize: number;
  seed: number;
}): GeneralScoreParams {
  positiveInteger(c.querySize, 'querySize');
  positiveInteger(c.keySize, 'keySize');
  return {
    kernel: createParameter(
      initializers.glorotUniform(),
      [c.querySize, c.keySize],
      deriveSeed(c.seed, 'kernel'),
    ),
  };
}

/**
 * General (multiplicative) score sᵀ W h.
 * @param query [batch, querySize]
 * @param keys [batch, time, keySize]
 */
export function generalScore(
  p: GeneralScoreParams,
  query: tf.Tensor2D,
  keys: tf.Tensor3D,
  options: ScoreOptions = {},
): ScoreResult {
  const [querySize, keySize] = p.kernel.shape as [number, number];
  checkQueryKeys(query, keys, querySize, keySize);
  return tidy(() => {
    const sw = tf.matMul(query, p.kernel); // [B, keySize]
    const scores = tf.squeeze(tf.matMul(keys, tf.expandDims(sw, 2)), [2]) as tf.Tensor2D; // [B, T]
    return attend(scores, keys, options);
  });
}

export function initAdditiveScore(c: {
  querySize: number;
  keySize: number;
  attentionSize: number;
  seed: number;
}): AdditiveScoreParams {
  const a = positiveInteger(c.attentionSize, 'attentionSize');
  const init = initializers.glorotUniform();
  return {
    queryKernel: createParameter(
      init,
      [positiveInteger(c.querySize, 'querySize'), a],
      deriveSeed(c.seed, 'query'),
    ),
    keyKernel: createParameter(init, [positiveInteger(c.keySize, 'keySize'), a], deriveSeed(c.seed, 'key')),
    bias: createParameter(initializers.zeros(), [a], 0),
    v: createParameter(initializers.uniform({ min: -0.1, max: 0.1 }), [a], deriveSeed(c.seed, 'v')),
  };
}

/**
 * W₂ h for every encoder state: [batch, time, keySize] -> [batch, time, attentionSize].
 * Constant over decoding steps, so a decoder computes it once and passes it as `projectedKeys`.
 */
export function projectKeys(p: AdditiveScoreParams, keys: tf.Tensor3D): tf.Tensor3D {
  const [keySize, a] = p.keyKernel.shape as [number, number];
  if (keys.rank !== 3 || keys.shape[2] !== keySize)
    throw new ShapeError('attention keys', [null, null, keySize], keys.shape);
  return tidy(() => {
    const [b, t] = keys.shape;
    return tf.reshape(tf.matMul(tf.reshape(keys, [b * t, keySize]), p.keyKernel), [b, t, a]) as tf.Tensor3D;
  });
}

/**
 * Additive (Bahdanau) score vᵀ tanh(W₁ s + W₂ h + b).
 * @param query [batch, querySize]
 * @param keys [batch, time, keySize]
 * @param projectedKeys optional W₂ h from `projectKeys(p, keys)`, to skip recomputing it every step.
 */
export function additiveScore(
  p: AdditiveScoreParams,
  query: tf.Tensor2D,
  keys: tf.Tensor3D,
  options: ScoreOptions & { readonly projectedKeys?: tf.Tensor3D } = {},
): ScoreResult {
  const [querySize] = p.queryKernel.shape as [number, number];
  const [keySize, a] = p.keyKernel.shape as [number, number];
  checkQueryKeys(query, keys, querySize, keySize);
  return tidy(() => {
    const wh = options.projectedKeys ?? projectKeys(p, keys); // [B, T, a]
    const ws = tf.expandDims(tf.add(tf.matMul(query, p.queryKernel), p.bias), 1); // [B, 1, a]
    const e = tf.tanh(tf.add(wh, ws)); // [B, T, a]
    const [b, t] = keys.shape;
    const scores = tf.reshape(tf.matMul(tf.reshape(e, [b * t, a]), tf.reshape(p.v, [a, 1])), [
      b,
      t,
    ]) as tf.Tensor2D;
    return attend(scores, keys, options);
  });
}
