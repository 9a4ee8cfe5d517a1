/**
 * Stacks of N transformer layers with an optional final layer norm, as PyTorch's
 * nn.TransformerEncoder / nn.TransformerDecoder (state_dict keys `layers.<i>.*` and `norm.*`).
 * Pre-norm stacks need the final norm (the residual stream is never normalised otherwise).
 */
import { ConfigError, deriveSeed, positiveInteger } from '@strand/base';
import { initLayerNorm, type LayerNormParams } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  type DecoderLayerOptions,
  type DecoderLayerParams,
  decoderLayer,
  initDecoderLayer,
} from './decoder-layer.js';
import {
  type EncoderLayerOptions,
  type EncoderLayerParams,
  encoderLayer,
  initEncoderLayer,
  type TransformerLayerConfig,
  type TransformerLayerSpec,
} from './encoder-layer.js';
import { layerNormFused } from './fused.js';
import {
  decoderLayerFromTorch,
  encoderLayerFromTorch,
  encoderLayerToTorch,
  type TorchLayerOptions,
  type TorchStateDict,
} from './pytorch.js';
import { tidy } from './tidy.js';

export interface TransformerStackConfig extends TransformerLayerConfig {
  readonly numLayers: number;
  /** A LayerNorm after the last layer; default: normFirst (what pre-norm needs). */
  readonly finalNorm?: boolean;
  readonly seed: number;
}

export type TransformerEncoderParams = {
  readonly layers: readonly EncoderLayerParams[];
  readonly norm: LayerNormParams | null;
};
export type TransformerDecoderParams = {
  readonly layers: readonly DecoderLayerParams[];
  readonly norm: LayerNormParams | null;
};

export interface TransformerEncoder {
  readonly spec: TransformerLayerSpec;
  readonly params: TransformerEncoderParams;
}

export interface TransformerDecoder {
  readonly spec: TransformerLayerSpec;
  readonly params: TransformerDecoderParams;
}

export function initTransformerEncoder(c: TransformerStackConfig): TransformerEncoder {
  const n = positiveInteger(c.numLayers, 'numLayers');
  const layers = Array.from({ length: n }, (_, i) =>
    initEncoderLayer({ ...c, seed: deriveSeed(c.seed, 'layers', i) }),
  );
  const spec = layers[0]!.spec;
  const norm = (c.finalNorm ?? spec.normFirst) ? initLayerNorm({ size: spec.dModel }) : null;
  return { spec, params: { layers: layers.map((l) => l.params), norm } };
}

export function initTransformerDecoder(c: TransformerStackConfig): TransformerDecoder {
  const n = positiveInteger(c.numLayers, 'numLayers');
  const layers = Array.from({ length: n }, (_, i) =>
    initDecoderLayer({ ...c, seed: deriveSeed(c.seed, 'layers', i) }),
  );
  const spec = layers[0]!.spec;
  const norm = (c.finalNorm ?? spec.normFirst) ? initLayerNorm({ size: spec.dModel }) : null;
  return { spec, params: { layers: layers.map((l) => l.params), norm } };
}

type StackOptions<O> = Omit<O, 'cache' | 'memoryKv'>;

/** x [B, T, C] through every layer (same masks for each), then the final norm. -> [B, T, C] */
export function transformerEncoder(
  enc: TransformerEncoder,
  x: tf.Tensor3D,
  o: StackOptions<EncoderLayerOptions> = {},
): tf.Tensor3D {
  return tidy(() => {
    let h = x;
    enc.params.layers.forEach((params, i) => {
      h = encoderLayer({ spec: enc.spec, params }, h, {
        ...o,
        ...(o.seed === undefined ? {} : { seed: deriveSeed(o.seed, 'layer', i) }),
      }).output;
    });
    return (enc.params.norm ? layerNormFused(enc.params.norm, h, enc.spec.layerNormEps) : h) as tf.Tensor3D;
  });
}

/** x [B, T, C] attending to memory [B, S, C] through every layer, then the final norm. -> [B, T, C] */
export function transformerDecoder(
  dec: TransformerDecoder,
  x: tf.Tensor3D,
  memory: tf.Tensor3D,
  o: StackOptions<DecoderLayerOptions> = {},
): tf.Tensor3D {
  return tidy(() => {
    let h = x;
    dec.params.layers.forEach((params, i) => {
      h = decoderLayer({ spec: dec.spec, params }, h, memory, {
        ...o,
        ...(o.seed === undefined ? {} : { seed: deriveSeed(o.seed, 'layer', i) }),
      }).output;
    });
    return (dec.params.norm ? layerNormFused(dec.params.norm, h, dec.spec.layerNormEps) : h) as tf.Tensor3D;
  });
}

function countLayers(sd: TorchStateDict, prefix: string): number {
  let n = 0;
  while (Object.keys(sd).some((k) => k.startsWith(`${prefix}layers.${n}.`))) n++;
  if (n === 0) throw new ConfigError(`no '${prefix}layers.0.*' keys in the state_dict`, 'stateDict');
  return n;
}

function normFromTorch(sd: TorchStateDict, prefix: string): LayerNormParams | null {
  const w = sd[`${prefix}norm.weight`];
  const b = sd[`${prefix}norm.bias`];
  if (!w || !b) return null;
  return { gamma: tf.variable(w.clone(), true), beta: tf.variable(b.clone(), true) };
}

/** Loads nn.TransformerEncoder (`layers.<i>.*`, and `norm.*` when present); the layer count comes from the keys. */
export function transformerEncoderFromTorch(sd: TorchStateDict, o: TorchLayerOptions): TransformerEncoder {
  const prefix = o.prefix ?? '';
  const layers = Array.from({ length: countLayers(sd, prefix) }, (_, i) =>
    encoderLayerFromTorch(sd, { ...o, prefix: `${prefix}layers.${i}.` }),
  );
  return {
    spec: layers[0]!.spec,
    params: { layers: layers.map((l) => l.params), norm: normFromTorch(sd, prefix) },
  };
}

/** Loads nn.TransformerDecoder (`layers.<i>.*`, and `norm.*` when present). */
export function transformerDecoderFromTorch(sd: TorchStateDict, o: TorchLayerOptions): TransformerDecoder {
  const prefix = o.prefix ?? '';
  const layers = Array.from({ length: countLayers(sd, prefix) }, (_, i) =>
    decoderLayerFromTorch(sd, { ...o, prefix: `${prefix}layers.${i}.` }),
  );
  return {
    spec: layers[0]!.spec,
    params: { layers: layers.map((l) => l.params), norm: normFromTorch(sd, prefix) },
  };
}

/** The stack's PyTorch state_dict (new tensors; the caller disposes them). */
export function transformerStackToTorch(
  stack: TransformerEncoder | TransformerDecoder,
  prefix = '',
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  stack.params.layers.forEach((params, i) => {
    Object.assign(out, encoderLayerToTorch({ spec: stack.spec, params } as never, `${prefix}layers.${i}.`));
  });
  if (stack.params.norm) {
    out[`${prefix}norm.weight`] = stack.params.norm.gamma.clone();
    out[`${prefix}norm.bias`] = stack.params.norm.beta.clone();
  }
  return out;
}
