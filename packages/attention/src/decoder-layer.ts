/**
 * The transformer decoder layer (Vaswani et al. 2017 §3.1), as PyTorch's nn.TransformerDecoderLayer:
 *   post-norm: x = norm1(x + SA(x)); x = norm2(x + CA(x, memory)); x = norm3(x + FF(x))
 *   pre-norm:  x = x + SA(norm1(x)); x = x + CA(norm2(x), memory); x = x + FF(norm3(x))
 * SA is masked (causal) self-attention, CA attends over the encoder output.
 */
import { deriveSeed } from '@strand/base';
import { initLayerNorm, type LayerNormParams } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  attentionOf,
  type LayerOptions,
  pick,
  type TransformerLayerConfig,
  type TransformerLayerSpec,
  transformerLayerSpec,
} from './encoder-layer.js';
import { drop, type FeedForwardParams, feedForward, initFeedForward } from './feed-forward.js';
import { layerNormFused } from './fused.js';
import {
  initMultiHeadAttention,
  type KvCache,
  type MultiHeadAttentionParams,
  multiHeadAttention,
} from './multi-head.js';
import { tidy } from './tidy.js';

export type DecoderLayerParams = {
  readonly selfAttn: MultiHeadAttentionParams;
  readonly crossAttn: MultiHeadAttentionParams;
  readonly ff: FeedForwardParams;
  readonly norm1: LayerNormParams;
  readonly norm2: LayerNormParams;
  readonly norm3: LayerNormParams;
};

export interface TransformerDecoderLayer {
  readonly spec: TransformerLayerSpec;
  readonly params: DecoderLayerParams;
}

export function initDecoderLayer(
  config: TransformerLayerConfig & { readonly seed: number },
): TransformerDecoderLayer {
  const spec = transformerLayerSpec(config);
  const mha = (name: string) =>
    initMultiHeadAttention({
      embedDim: spec.dModel,
      numHeads: spec.numHeads,
      bias: spec.bias,
      dropout: spec.dropout,
      seed: deriveSeed(config.seed, name),
    }).params;
  return {
    spec,
    params: {
      selfAttn: mha('selfAttn'),
      crossAttn: mha('crossAttn'),
      ff: initFeedForward({
        dModel: spec.dModel,
        hidden: spec.dimFeedforward,
        seed: deriveSeed(config.seed, 'ff'),
      }),
      norm1: initLayerNorm({ size: spec.dModel }),
      norm2: initLayerNorm({ size: spec.dModel }),
      norm3: initLayerNorm({ size: spec.dModel }),
    },
  };
}

export interface DecoderLayerOptions extends LayerOptions {
  /** Self-attention mask, broadcastable to [batch, heads, t, t]; 1 = may attend (PyTorch's tgt_mask, negated). */
  readonly mask?: tf.Tensor;
  /** Causal self-attention (PyTorch's tgt_is_causal / a square subsequent mask). */
  readonly causal?: boolean;
  /** [batch, t]; 1 = real target token. */
  readonly keyPaddingMask?: tf.Tensor2D;
  /** Cross-attention mask, broadcastable to [batch, heads, t, s]. */
  readonly memoryMask?: tf.Tensor;
  /** [batch, s]; 1 = real source token. */
  readonly memoryKeyPaddingMask?: tf.Tensor2D;
  /** Self-attention cache for incremental decoding. */
  readonly cache?: KvCache;
  /** The memory's keys/values projected once (`projectKeyValue` of the cross-attention). */
  readonly memoryKv?: KvCache;
}

export interface DecoderLayerResult {
  /** [batch, t, dModel] */
  readonly output: tf.Tensor3D;
  /** Self-attention weights [batch, heads, t, tk]. */
  readonly selfWeights: tf.Tensor4D;
  /** Cross-attention weights [batch, heads, t, s]. */
  readonly crossWeights: tf.Tensor4D;
  readonly cache?: KvCache;
}

/**
 * @param x [batch, t, dModel] (targets so far)
 * @param memory [batch, s, dModel] (encoder output)
 */
export function decoderLayer(
  layer: TransformerDecoderLayer,
  x: tf.Tensor3D,
  memory: tf.Tensor3D,
  o: DecoderLayerOptions = {},
): DecoderLayerResult {
  const { spec, params: p } = layer;
  const training = o.training ?? false;
  const rate = training ? spec.dropout : 0;
  const seed = o.seed;
  const sub = (name: string) => (seed === undefined ? {} : { seed: deriveSeed(seed, name) });
  const norm = (n: LayerNormParams, h: tf.Tensor) => layerNormFused(n, h, spec.layerNormEps) as tf.Tensor3D;
  return tidy(() => {
    const selfAttention = (h: tf.Tensor3D) => {
      const r = multiHeadAttention(attentionOf(spec, p.selfAttn), h, h, h, {
        ...pick(o, ['mask', 'keyPaddingMask', 'causal', 'cache']),
        training,
        ...sub('selfAttn'),
      });
      return { ...r, output: drop(r.output, rate, seed, 'dropout1') as tf.Tensor3D };
    };
    const crossAttention = (h: tf.Tensor3D) => {
      const r = multiHeadAttention(attentionOf(spec, p.crossAttn), h, memory, memory, {
        ...(o.memoryMask ? { mask: o.memoryMask } : {}),
        ...(o.memoryKeyPaddingMask ? { keyPaddingMask: o.memoryKeyPaddingMask } : {}),
        ...(o.memoryKv ? { staticKv: o.memoryKv } : {}),
        training,
        ...sub('crossAttn'),
      });
      return { ...r, output: drop(r.output, rate, seed, 'dropout2') as tf.Tensor3D };
    };
    const ff = (h: tf.Tensor3D) =>
      drop(
        feedForward(p.ff, h, { activation: spec.activation, dropout: rate, training, ...sub('ff') }),
        rate,
        seed,
        'dropout3',
      );
    let h: tf.Tensor3D;
    let sa: ReturnType<typeof selfAttention>;
    let ca: ReturnType<typeof crossAttention>;
    if (spec.normFirst) {
      sa = selfAttention(norm(p.norm1, x));
      h = tf.add(x, sa.output);
      ca = crossAttention(norm(p.norm2, h));
      h = tf.add(h, ca.output);
      h = tf.add(h, ff(norm(p.norm3, h)));
    } else {
      sa = selfAttention(x);
      h = norm(p.norm1, tf.add(x, sa.output));
      ca = crossAttention(h);
      h = norm(p.norm2, tf.add(h, ca.output));
      h = norm(p.norm3, tf.add(h, ff(h)));
    }
    return {
      output: h,
      selfWeights: sa.weights,
      crossWeights: ca.weights,
      ...(sa.cache ? { cache: sa.cache } : {}),
    };
  });
}
