/**
 * The transformer encoder layer (Vaswani et al. 2017 §3.1), as PyTorch's nn.TransformerEncoderLayer:
 *   post-norm: x = norm1(x + SA(x));        x = norm2(x + FF(x))
 *   pre-norm:  x = x + SA(norm1(x));        x = x + FF(norm2(x))     (normFirst; GPT-2, Xiong et al. 2020)
 * With `causal: true` and a cache this is also the decoder-only (GPT) block.
 */
import { ConfigError, deriveSeed, oneOf, positiveInteger, rate } from '@strand/base';
import { initLayerNorm, type LayerNormParams } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  type Activation,
  drop,
  type FeedForwardParams,
  feedForward,
  initFeedForward,
} from './feed-forward.js';
import { layerNormFused } from './fused.js';
import {
  initMultiHeadAttention,
  type KvCache,
  type MultiHeadAttention,
  type MultiHeadAttentionParams,
  multiHeadAttention,
} from './multi-head.js';
import type { RopeOptions } from './positional.js';
import { tidy } from './tidy.js';

export interface TransformerLayerConfig {
  readonly dModel: number;
  readonly numHeads: number;
  /** Default 4 · dModel. */
  readonly dimFeedforward?: number;
  /** Residual, attention and feed-forward dropout in training; default 0. */
  readonly dropout?: number;
  /** Default 'relu' (PyTorch's default). */
  readonly activation?: Activation;
  /** Pre-norm; default false (PyTorch's default). */
  readonly normFirst?: boolean;
  /** Default 1e-5. */
  readonly layerNormEps?: number;
  /** Biases in attention, feed-forward (PyTorch's `bias`); default true. */
  readonly bias?: boolean;
}

export interface TransformerLayerSpec {
  readonly dModel: number;
  readonly numHeads: number;
  readonly dimFeedforward: number;
  readonly dropout: number;
  readonly activation: Activation;
  readonly normFirst: boolean;
  readonly layerNormEps: number;
  readonly bias: boolean;
}

export function transformerLayerSpec(c: TransformerLayerConfig): TransformerLayerSpec {
  const dModel = positiveInteger(c.dModel, 'dModel');
  const eps = c.layerNormEps ?? 1e-5;
  if (!(eps > 0)) throw new ConfigError(`layerNormEps must be > 0, received ${eps}`, 'layerNormEps');
  return {
    dModel,
    numHeads: positiveInteger(c.numHeads, 'numHeads'),
    dimFeedforward: positiveInteger(c.dimFeedforward ?? 4 * dModel, 'dimFeedforward'),
    dropout: rate(c.dropout ?? 0, 'dropout'),
    activation: oneOf(c.activation ?? 'relu', ['relu', 'gelu'] as const, 'activation'),
    normFirst: c.normFirst ?? false,
    layerNormEps: eps,
    bias: c.bias ?? true,
  };
}

export type EncoderLayerParams = {
  readonly selfAttn: MultiHeadAttentionParams;
  readonly ff: FeedForwardParams;
  readonly norm1: LayerNormParams;
  readonly norm2: LayerNormParams;
};

export interface TransformerEncoderLayer {
  readonly spec: TransformerLayerSpec;
  readonly params: EncoderLayerParams;
}

export function initEncoderLayer(
  config: TransformerLayerConfig & { readonly seed: number },
): TransformerEncoderLayer {
  const spec = transformerLayerSpec(config);
  const selfAttn = initMultiHeadAttention({
    embedDim: spec.dModel,
    numHeads: spec.numHeads,
    bias: spec.bias,
    dropout: spec.dropout,
    seed: deriveSeed(config.seed, 'selfAttn'),
  });
  return {
    spec,
    params: {
      selfAttn: selfAttn.params,
      ff: initFeedForward({
        dModel: spec.dModel,
        hidden: spec.dimFeedforward,
        seed: deriveSeed(config.seed, 'ff'),
      }),
      norm1: initLayerNorm({ size: spec.dModel }),
      norm2: initLayerNorm({ size: spec.dModel }),
    },
  };
}

/** The MultiHeadAttention record of a layer's attention params (spec derived from the layer's). */
export function attentionOf(
  spec: TransformerLayerSpec,
  params: MultiHeadAttentionParams,
): MultiHeadAttention {
  return {
    spec: {
      embedDim: spec.dModel,
      numHeads: spec.numHeads,
      headDim: spec.dModel / spec.numHeads,
      kdim: params.key.kernel.shape[0]!,
      vdim: params.value.kernel.shape[0]!,
      bias: params.query.bias !== null,
      dropout: spec.dropout,
    },
    params,
  };
}

export interface LayerOptions {
  readonly training?: boolean;
  readonly seed?: number;
}

export interface EncoderLayerOptions extends LayerOptions {
  /** Broadcastable to [batch, heads, t, t]; 1 = may attend (PyTorch's src_mask, negated). */
  readonly mask?: tf.Tensor;
  /** [batch, t] (t including cached positions); 1 = real token (PyTorch's src_key_padding_mask, negated). */
  readonly keyPaddingMask?: tf.Tensor2D;
  readonly causal?: boolean;
  /** Self-attention key/value cache (decoder-only incremental decoding). */
  readonly cache?: KvCache;
  readonly rope?: Omit<RopeOptions, 'offset'>;
}

export interface LayerResult {
  /** [batch, t, dModel] */
  readonly output: tf.Tensor3D;
  /** Self-attention weights [batch, heads, t, tk]. */
  readonly weights: tf.Tensor4D;
  readonly cache?: KvCache;
}

/** @param x [batch, t, dModel] -> [batch, t, dModel] */
export function encoderLayer(
  layer: TransformerEncoderLayer,
  x: tf.Tensor3D,
  o: EncoderLayerOptions = {},
): LayerResult {
  const { spec, params: p } = layer;
  const training = o.training ?? false;
  const rate = training ? spec.dropout : 0;
  const seed = o.seed;
  const norm = (n: LayerNormParams, h: tf.Tensor) => layerNormFused(n, h, spec.layerNormEps) as tf.Tensor3D;
  return tidy(() => {
    const selfAttention = (h: tf.Tensor3D) => {
      const r = multiHeadAttention(attentionOf(spec, p.selfAttn), h, h, h, {
        ...pick(o, ['mask', 'keyPaddingMask', 'causal', 'cache', 'rope']),
        training,
        ...(seed === undefined ? {} : { seed: deriveSeed(seed, 'selfAttn') }),
      });
      return { ...r, output: drop(r.output, rate, seed, 'dropout1') as tf.Tensor3D };
    };
    const ff = (h: tf.Tensor3D) =>
      drop(
        feedForward(p.ff, h, {
          activation: spec.activation,
          dropout: rate,
          training,
          ...(seed === undefined ? {} : { seed }),
        }),
        rate,
        seed,
        'dropout2',
      );
    if (spec.normFirst) {
      const a = selfAttention(norm(p.norm1, x));
      const h = tf.add(x, a.output) as tf.Tensor3D; // [B, T, C]
      const output = tf.add(h, ff(norm(p.norm2, h))) as tf.Tensor3D;
      return { output, weights: a.weights, ...(a.cache ? { cache: a.cache } : {}) };
    }
    const a = selfAttention(x);
    const h = norm(p.norm1, tf.add(x, a.output));
    const output = norm(p.norm2, tf.add(h, ff(h)));
    return { output, weights: a.weights, ...(a.cache ? { cache: a.cache } : {}) };
  });
}

/** The options in `keys` that are set. */
export function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
