import { ConfigError, oneOf, positiveInteger } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import type { Bidirectional } from './bidirectional.js';
import type { Cell } from './cell.js';
import { gruFromWeights, gruSpec } from './gru.js';
import { permuteBlocks, variableFrom, type WeightLike, WeightReader } from './interop-common.js';
import { lstmFromWeights, lstmSpec } from './lstm.js';
import { simpleRnnFromWeights, simpleRnnSpec } from './simple-rnn.js';

/** Keras' names for one recurrent layer's weights (`layer.weights` ends in these, e.g. `lstm/kernel`). */
export interface KerasWeights<T = tf.Tensor> {
  /** [in, gates · units] */
  readonly kernel: T;
  /** [units, gates · units] */
  readonly recurrent_kernel: T;
  /** [gates · units]; [2, 3 · units] for a GRU with reset_after=True (input bias, recurrent bias). */
  readonly bias?: T;
}

export interface KerasCellConfig {
  /** The Keras layer: 'SimpleRNN', 'LSTM' or 'GRU'. */
  readonly layer: 'SimpleRNN' | 'LSTM' | 'GRU';
  readonly inputSize: number;
  readonly units: number;
  /** GRU only: Keras' reset_after (True by default in Keras 2+, unsupported by tfjs-layers). Default true. */
  readonly resetAfter?: boolean;
  /** SimpleRNN only; default 'tanh'. */
  readonly activation?: 'tanh' | 'relu';
}

// Keras orders GRU gates z, r, h; Strand (like PyTorch) r, z, n. The same swap converts both ways.
const GRU_SWAP = [1, 0, 2];

/**
 * Builds a Strand cell from a Keras/tfjs-layers recurrent layer's weights. Kernels are already [in, out];
 * LSTM gates i, f, c, o match Strand's i, f, g, o; GRU blocks are reordered from z, r, h. The Keras layer
 * must use the default activations (tanh; sigmoid as recurrent activation — tfjs-layers defaults to
 * hardSigmoid, so build it with recurrentActivation: 'sigmoid').
 *
 * @example
 * const [kernel, recurrent_kernel, bias] = tfjsLayer.getWeights();
 * const cell = fromKeras({ kernel, recurrent_kernel, bias }, { layer: 'LSTM', inputSize: 8, units: 16 });
 */
export function fromKeras(weights: Readonly<Record<string, WeightLike>>, config: KerasCellConfig): Cell {
  const layer = oneOf(config.layer, ['SimpleRNN', 'LSTM', 'GRU'] as const, 'layer');
  const inputSize = positiveInteger(config.inputSize, 'inputSize');
  const units = positiveInteger(config.units, 'units');
  const resetAfter = config.resetAfter ?? true;
  if (typeof resetAfter !== 'boolean')
    throw new ConfigError(`resetAfter must be a boolean, received ${String(resetAfter)}`, 'resetAfter');
  const activation = oneOf(config.activation ?? 'tanh', ['tanh', 'relu'] as const, 'activation');
  const G = { SimpleRNN: 1, LSTM: 4, GRU: 3 }[layer] * units;
  const reader = new WeightReader(weights, 'Keras weights');
  const hasBias = reader.has('bias');
  const kernel = reader.take('kernel', [inputSize, G]);
  const recurrent = reader.take('recurrent_kernel', [units, G]);
  const gruAfter = layer === 'GRU' && resetAfter;
  const bias = hasBias ? reader.take('bias', gruAfter ? [2, G] : [G]) : null;
  reader.finish(); // disposes what it took before throwing: a failed load leaks nothing
  const k = kernel!;
  const r = recurrent!;
  if (layer === 'GRU') {
    let b: tf.Tensor | null = null;
    let bh: tf.Tensor | null = null;
    if (bias !== null) {
      [b, bh] = gruAfter
        ? tf.tidy(() => tf.unstack(bias).map((v) => permuteBlocks(v, GRU_SWAP)))
        : [permuteBlocks(bias, GRU_SWAP), null];
      bias.dispose();
    }
    const cell = gruFromWeights(gruSpec({ inputSize, units, resetAfter, bias: hasBias }), {
      inputKernel: variableFrom(permuteBlocks(k, GRU_SWAP)),
      recurrentKernel: variableFrom(permuteBlocks(r, GRU_SWAP)),
      bias: b ? variableFrom(b) : null,
      recurrentBias: bh ? variableFrom(bh) : null,
    });
    tf.dispose([k, r]);
    return cell;
  }
  const common = {
    inputKernel: variableFrom(k),
    recurrentKernel: variableFrom(r),
    bias: bias ? variableFrom(bias) : null,
  };
  if (layer === 'LSTM') {
    return lstmFromWeights(lstmSpec({ inputSize, units, bias: hasBias }), {
      ...common,
      peephole: null,
      projection: null,
      layerNorm: null,
    });
  }
  return simpleRnnFromWeights(simpleRnnSpec({ inputSize, units, bias: hasBias, activation }), common);
}

/** A cell's weights in Keras' names and layout (the caller owns the tensors). */
export function toKeras(cell: Cell): KerasWeights {
  const p = cell.params;
  if (cell.kind === 'lstm' && (p as { projection: unknown }).projection !== null) {
    throw new ConfigError('Keras LSTMs have no projection', 'projSize');
  }
  if (cell.kind === 'lstm' && (cell.config.peephole || cell.config.layerNorm)) {
    throw new ConfigError('Keras LSTM layers have no peepholes or layer normalisation', 'layer');
  }
  if (cell.kind === 'simpleRNN' && cell.config.leak !== 1)
    throw new ConfigError('Keras SimpleRNN has no leaky units', 'leak');
  if (cell.kind === 'gru') {
    if (cell.config.minimal) throw new ConfigError('Keras has no minimal GRU', 'minimal');
    const swap = (t: tf.Tensor) => permuteBlocks(t, GRU_SWAP);
    const out: { kernel: tf.Tensor; recurrent_kernel: tf.Tensor; bias?: tf.Tensor } = {
      kernel: swap(p.inputKernel),
      recurrent_kernel: swap(p.recurrentKernel),
    };
    if (p.bias !== null) {
      const rb = cell.params.recurrentBias;
      out.bias = cell.config.resetAfter
        ? tf.tidy(() => tf.stack([swap(p.bias!), rb ? swap(rb) : tf.zerosLike(p.bias!)]))
        : swap(p.bias);
    }
    return out;
  }
  return {
    kernel: tf.clone(p.inputKernel),
    recurrent_kernel: tf.clone(p.recurrentKernel),
    ...(p.bias !== null ? { bias: tf.clone(p.bias) } : {}),
  };
}

/**
 * The ordered weight list `setWeights` takes on a tfjs-layers (or Keras) layer: [kernel, recurrent_kernel, bias]
 * for a cell, the forward layer's then the backward layer's for a Bidirectional wrapper.
 */
export function toKerasWeightList(layer: Cell | Bidirectional<Cell, Cell>): tf.Tensor[] {
  const one = (c: Cell) => {
    const w = toKeras(c);
    return [w.kernel, w.recurrent_kernel, ...(w.bias ? [w.bias] : [])];
  };
  return layer.kind === 'bidirectional' ? [...one(layer.forward), ...one(layer.backward)] : one(layer);
}
