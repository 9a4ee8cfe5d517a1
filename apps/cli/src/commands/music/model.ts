/**
 * The music models of Chung et al. (2014): one recurrent layer reading the 88-key roll, and a
 * linear read-out to 88 logits (one Bernoulli per key for the next step). Plain data: a JSON
 * config, and the cell's and head's parameters.
 */
import { type Cell, gru, lstm, rnn, simpleRNN } from '@strand/cells';
import { deriveSeed, initLinear, type LinearParams, linear, namedParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { KEYS } from './roll.js';

export const MUSIC_CELLS = ['tanh', 'gru', 'lstm'] as const;
export type MusicCell = (typeof MUSIC_CELLS)[number];

export interface MusicModelConfig {
  readonly kind: 'music-rnn';
  readonly cell: MusicCell;
  readonly units: number;
  readonly seed: number;
}

/** About 20k parameters each, as in Chung et al. 2014 (table 1). */
export const SMALL_UNITS: Readonly<Record<MusicCell, number>> = { tanh: 100, gru: 46, lstm: 36 };
/** The larger configuration (beside the TCN paper's recurrent baselines). */
export const LARGE_UNITS: Readonly<Record<MusicCell, number>> = { tanh: 300, gru: 150, lstm: 128 };

export interface MusicModel {
  readonly config: MusicModelConfig;
  readonly cell: Cell;
  readonly head: LinearParams;
  readonly params: { readonly cell: Cell['params']; readonly head: LinearParams };
}

export function createMusicModel(config: MusicModelConfig): MusicModel {
  const { units } = config;
  const seed = deriveSeed(config.seed, 'music', config.cell);
  const inputSize = KEYS;
  const cell: Cell =
    config.cell === 'tanh'
      ? simpleRNN({ inputSize, units, activation: 'tanh', initScheme: 'pytorch', seed })
      : config.cell === 'gru'
        ? gru({ inputSize, units, initScheme: 'pytorch', seed })
        : // Peepholes as in Graves 2013 (and Chung et al.'s LSTM).
          lstm({ inputSize, units, peephole: true, initScheme: 'pytorch', seed });
  const head = initLinear({ inputSize: units, outputSize: KEYS, seed: deriveSeed(seed, 'head') });
  return { config, cell, head, params: { cell: cell.params, head } };
}

export function parameterCount(model: MusicModel): number {
  let n = 0;
  for (const v of namedParameters(model.params).values()) n += v.size;
  return n;
}

/** inputs [B, T, 88] (and an optional [B, T] mask) -> logits [B, T, 88]. Differentiable. */
export function musicLogits(model: MusicModel, inputs: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const { outputs } = rnn(model.cell, inputs, mask ? { mask } : {});
    return linear(model.head, outputs as tf.Tensor3D) as tf.Tensor3D;
  });
}

export function disposeMusicModel(model: MusicModel): void {
  tf.dispose([...namedParameters(model.params).values()]);
}
