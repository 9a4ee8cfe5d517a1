/**
 * Multi-head attention (Vaswani et al. 2017 §3.2.2) as plain data plus functions:
 *   MultiHead(Q, K, V) = Concat(head_1..head_h) W^O,  head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V).
 * The module only projects and reshapes; the attention itself is `scaledDotProductAttention`.
 * Key and value sizes may differ from the query's (PyTorch's kdim / vdim).
 */
import { ConfigError, positiveInteger, rate, ShapeError } from '@strand/base';
import { deriveSeed, initializers, initLinear, type LinearParams } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { linearFused } from './fused.js';
import { asMask, keyPaddingToAttention } from './mask.js';
import { applyRope, type RopeOptions } from './positional.js';
import { scaledDotProductAttention } from './scaled-dot-product.js';
import { tidy } from './tidy.js';

export interface MultiHeadAttentionConfig {
  readonly embedDim: number;
  readonly numHeads: number;
  /** Size of the key inputs; default embedDim. */
  readonly kdim?: number;
  /** Size of the value inputs; default embedDim. */
  readonly vdim?: number;
  /** Biases on the four projections; default true. */
  readonly bias?: boolean;
  /** Dropout on the attention weights in training; default 0. */
  readonly dropout?: number;
  readonly seed: number;
}

export interface MultiHeadAttentionSpec {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly bias: boolean;
  readonly dropout: number;
}

/** Projections in x·W layout: query [E, E], key [kdim, E], value [vdim, E], output [E, E]. */
export type MultiHeadAttentionParams = {
  readonly query: LinearParams;
  readonly key: LinearParams;
  readonly value: LinearParams;
  readonly output: LinearParams;
};

export interface MultiHeadAttention {
  readonly spec: MultiHeadAttentionSpec;
  readonly params: MultiHeadAttentionParams;
}

/** Keys and values already projected and split into heads: each [batch, heads, time, headDim]. */
export interface KvCache {
  readonly key: tf.Tensor4D;
  readonly value: tf.Tensor4D;
}

export interface MultiHeadOptions {
  /** Broadcastable to [batch, heads, tq, tk]; 1 = may attend. */
  readonly mask?: tf.Tensor;
  /** [batch, tk]; 1 = real key, 0 = padding (tk counts cached keys too). */
  readonly keyPaddingMask?: tf.Tensor2D;
  /** Causal self-attention; with a cache the queries are aligned with the end of the keys. */
  readonly causal?: boolean;
  readonly training?: boolean;
  readonly seed?: number;
  /** Self-attention cache: this call's keys/values are appended to it; the result returns the longer cache. */
  readonly cache?: KvCache;
  /** Precomputed keys/values (cross-attention over a fixed memory): `key`/`value` arguments are ignored. */
  readonly staticKv?: KvCache;
  /** Rotary positions on queries and keys, at offset = cached length. */
  readonly rope?: Omit<RopeOptions, 'offset'>;
}

export interface MultiHeadResult {
  /** [batch, tq, embedDim] */
  readonly output: tf.Tensor3D;
  /** [batch, heads, tq, tk]: each head's weights (PyTorch's average_attn_weights=False). */
  readonly weights: tf.Tensor4D;
  /** The cache extended by this call's keys/values, when a cache was given. */
  readonly cache?: KvCache;
}

export function multiHeadAttentionSpec(c: Omit<MultiHeadAttentionConfig, 'seed'>): MultiHeadAttentionSpec {
  const embedDim = positiveInteger(c.embedDim, 'embedDim');
  const numHeads = positiveInteger(c.numHeads, 'numHeads');
  if (embedDim % numHeads !== 0) {
    throw new ConfigError(
      `embedDim must be divisible by numHeads: expected a multiple of ${numHeads}, received ${embedDim}`,
      'embedDim',
    );
  }
  return {
    embedDim,
    numHeads,
    headDim: embedDim / numHeads,
    kdim: positiveInteger(c.kdim ?? embedDim, 'kdim'),
    vdim: positiveInteger(c.vdim ?? embedDim, 'vdim'),
    bias: c.bias ?? true,
    dropout: rate(c.dropout ?? 0, 'dropout'),
  };
}

/**
 * Creates the four projections: Glorot-uniform kernels and zero biases (PyTorch's initialisation
 * of nn.MultiheadAttention, up to its packing of q/k/v into one matrix).
 *
 * @example
 * const mha = initMultiHeadAttention({ embedDim: 16, numHeads: 4, seed: 0 });
 * const { output, weights } = multiHeadAttention(mha, x, x, x, { causal: true }); // [B, T, 16], [B, 4, T, T]
 */
export function initMultiHeadAttention(config: MultiHeadAttentionConfig): MultiHeadAttention {
  const spec = multiHeadAttentionSpec(config);
  const { embedDim: e, bias } = spec;
  const lin = (inputSize: number, name: string): LinearParams =>
    initLinear({
      inputSize,
      outputSize: e,
      bias,
      kernelInit: initializers.glorotUniform(),
      seed: deriveSeed(config.seed, name),
    });
  return {
    spec,
    params: {
      query: lin(e, 'query'),
      key: lin(spec.kdim, 'key'),
      value: lin(spec.vdim, 'value'),
      output: lin(e, 'output'),
    },
  };
}

/** [B, T, E] -> [B, H, T, dh] */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [b, t, e] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [b, t, heads, e / heads]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/** [B, H, T, dh] -> [B, T, E] */
function mergeHeads(x: tf.Tensor): tf.Tensor3D {
  const [b, h, t, dh] = x.shape as [number, number, number, number];
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, t, h * dh]) as tf.Tensor3D;
}

function checkInput(x: tf.Tensor, what: string, batch: number | null, size: number): void {
  if (x.rank !== 3 || x.shape[2] !== size || (batch !== null && x.shape[0] !== batch)) {
    throw new ShapeError(what, [batch, null, size], x.shape);
  }
}

/** Projects keys and values into heads once (cross-attention memory, or a cache prefix). */
export function projectKeyValue(m: MultiHeadAttention, key: tf.Tensor3D, value: tf.Tensor3D): KvCache {
  checkInput(key, 'attention key', null, m.spec.kdim);
  checkInput(value, 'attention value', key.shape[0], m.spec.vdim);
  if (value.shape[1] !== key.shape[1])
    throw new ShapeError('attention value', [key.shape[0], key.shape[1], m.spec.vdim], value.shape);
  return tidy(() => ({
    key: splitHeads(linearFused(m.params.key, key), m.spec.numHeads),
    value: splitHeads(linearFused(m.params.value, value), m.spec.numHeads),
  }));
}

/**
 * Multi-head attention.
 * @param query [batch, tq, embedDim]
 * @param key [batch, tk, kdim] (ignored with `staticKv`)
 * @param value [batch, tk, vdim] (ignored with `staticKv`)
 * @returns output [batch, tq, embedDim], weights [batch, heads, tq, tk], and the extended cache.
 * @throws ShapeError for inputs of the wrong size and masks that do not broadcast to [batch, heads, tq, tk].
 */
export function multiHeadAttention(
  m: MultiHeadAttention,
  query: tf.Tensor3D,
  key: tf.Tensor3D,
  value: tf.Tensor3D,
  o: MultiHeadOptions = {},
): MultiHeadResult {
  const { spec, params } = m;
  checkInput(query, 'attention query', null, spec.embedDim);
  const batch = query.shape[0];
  return tidy(() => {
    const offset = o.cache?.key.shape[2] ?? 0;
    let q = splitHeads(linearFused(params.query, query), spec.numHeads); // [B, H, tq, dh]
    let kv = o.staticKv ?? projectKeyValue(m, key, value); // [B, H, tk, dh] each
    if (kv.key.shape[0] !== batch)
      throw new ShapeError('attention key', [batch, null, spec.kdim], kv.key.shape);
    if (o.rope) {
      q = applyRope(q, { ...o.rope, offset }) as tf.Tensor4D;
      kv = { key: applyRope(kv.key, { ...o.rope, offset }) as tf.Tensor4D, value: kv.value };
    }
    // An empty cache (a training pass through a cached model) adds nothing: skip the copy and its gradient.
    if (o.cache && o.cache.key.shape[2] > 0) {
      kv = { key: tf.concat([o.cache.key, kv.key], 2), value: tf.concat([o.cache.value, kv.value], 2) }; // [B, H, Tc + tk, dh]
    }
    const tk = kv.key.shape[2];
    let mask =
      o.mask === undefined
        ? undefined
        : asMask(o.mask, [batch, spec.numHeads, q.shape[2], tk], 'attention mask');
    if (o.keyPaddingMask) {
      const kpm = o.keyPaddingMask;
      if (kpm.rank !== 2 || kpm.shape[0] !== batch || kpm.shape[1] !== tk)
        throw new ShapeError('key padding mask', [batch, tk], kpm.shape);
      const padding = keyPaddingToAttention(kpm); // [B, 1, 1, tk]
      mask = mask === undefined ? padding : tf.mul(mask, padding);
    }
    const att = scaledDotProductAttention(q, kv.key, kv.value, {
      ...(mask === undefined ? {} : { mask }),
      causal: o.causal ?? false,
      dropout: spec.dropout,
      training: o.training ?? false,
      ...(o.seed === undefined ? {} : { seed: o.seed }),
    });
    const output = linearFused(params.output, mergeHeads(att.output)) as tf.Tensor3D; // [B, tq, E]
    return { output, weights: att.weights as tf.Tensor4D, ...(o.cache ? { cache: kv } : {}) };
  });
}
