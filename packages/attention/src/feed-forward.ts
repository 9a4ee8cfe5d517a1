import { ConfigError, deriveSeed, oneOf, positiveInteger, ShapeError } from '@strand/base';
import { dropout, initializers, initLinear, type LinearParams } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { linearFused } from './fused.js';
import { tidy } from './tidy.js';

export type Activation = 'relu' | 'gelu';

/**
 * GELU, exactly as PyTorch's default (`approximate='none'`): x · Φ(x) = x/2 · (1 + erf(x / √2)).
 * tfjs has an Erf kernel (with gradient) on cpu, wasm and webgpu.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

export function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  return activation === 'relu' ? tf.relu(x) : gelu(x);
}

/** linear1: [dModel, hidden], linear2: [hidden, dModel]. */
export type FeedForwardParams = { readonly linear1: LinearParams; readonly linear2: LinearParams };

/** PyTorch's nn.Linear initialisation: U(±1/√fanIn) for kernel and bias. */
export function torchLinear(inputSize: number, outputSize: number, seed: number, bias = true): LinearParams {
  const bound = 1 / Math.sqrt(inputSize);
  const init = initializers.uniform({ min: -bound, max: bound });
  return initLinear({ inputSize, outputSize, bias, kernelInit: init, biasInit: init, seed });
}

export function initFeedForward(c: { dModel: number; hidden: number; seed: number }): FeedForwardParams {
  const d = positiveInteger(c.dModel, 'dModel');
  const h = positiveInteger(c.hidden, 'hidden');
  return {
    linear1: torchLinear(d, h, deriveSeed(c.seed, 'linear1')),
    linear2: torchLinear(h, d, deriveSeed(c.seed, 'linear2')),
  };
}

export interface FeedForwardOptions {
  readonly activation: Activation;
  /** Dropout between the two layers (PyTorch's `dropout` inside `_ff_block`); default 0. */
  readonly dropout?: number;
  readonly training?: boolean;
  readonly seed?: number;
}

/**
 * Position-wise feed-forward: linear2(dropout(act(linear1(x)))).
 * @param x [..., dModel] -> [..., dModel]
 */
export function feedForward(p: FeedForwardParams, x: tf.Tensor, o: FeedForwardOptions): tf.Tensor {
  const d = p.linear1.kernel.shape[0]!;
  if (x.rank < 2 || x.shape[x.rank - 1] !== d) throw new ShapeError('feed-forward input', [null, d], x.shape);
  oneOf(o.activation, ['relu', 'gelu'] as const, 'activation');
  return tidy(() => {
    let h = activate(linearFused(p.linear1, x), o.activation); // [..., hidden]
    if (o.training && (o.dropout ?? 0) > 0) h = drop(h, o.dropout ?? 0, o.seed, 'ff');
    return linearFused(p.linear2, h); // [..., dModel]
  });
}

/** Dropout with a per-site seed derived from the call's seed (identity when not training). */
export function drop(x: tf.Tensor, rate: number, seed: number | undefined, site: string): tf.Tensor {
  if (rate === 0) return x;
  if (seed === undefined)
    throw new ConfigError('dropout in training needs a seed: pass { training: true, seed }', 'seed');
  return dropout(x, { rate, training: true, seed: deriveSeed(seed, site) });
}
