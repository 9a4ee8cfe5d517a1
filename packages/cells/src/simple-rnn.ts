import { ConfigError, deriveSeed, finiteNumber, oneOf, positiveInteger } from '@strand/base';
import { createParameter, type Initializer, initializers } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { schemeInits } from './init.js';
import type { HState, InitScheme, StepOptions, StepResult } from './types.js';

/** y = x · inputKernel + h · recurrentKernel + bias, in the [in, out] layout. */
export type SimpleRnnWeights = {
  /** [inputSize, units] */
  readonly inputKernel: tf.Variable;
  /** [units, units] */
  readonly recurrentKernel: tf.Variable;
  /** [units], or null without a bias. */
  readonly bias: tf.Variable | null;
};

export interface SimpleRnnConfig {
  readonly inputSize: number;
  readonly units: number;
  /** Default 'tanh'. */
  readonly activation?: 'tanh' | 'relu';
  /**
   * Leaky integration a in (0, 1]: h_t = (1 - a) h_{t-1} + a f(x_t W + h_{t-1} U + b).
   * Default 1 (the ordinary Elman RNN).
   */
  readonly leak?: number;
  /** Default true. */
  readonly bias?: boolean;
  /**
   * Initialise the recurrent kernel to gain · I (the IRNN of Le, Jaitly & Hinton 2015, usually with
   * activation 'relu'); the bias then starts at zero. Overrides `recurrentInit`.
   */
  readonly identityRecurrent?: number;
  /** Default 'keras' (see `schemeInits`). */
  readonly initScheme?: InitScheme;
  readonly kernelInit?: Initializer;
  readonly recurrentInit?: Initializer;
  readonly biasInit?: Initializer;
  readonly seed: number;
}

/** The validated, JSON-serializable part of the config that the cell keeps. */
export interface SimpleRnnSpec {
  readonly inputSize: number;
  readonly units: number;
  readonly activation: 'tanh' | 'relu';
  readonly leak: number;
  readonly bias: boolean;
}

/** A SimpleRNN cell: its spec, its weights and a pure step. */
export interface SimpleRnnCell {
  readonly kind: 'simpleRNN';
  readonly config: SimpleRnnSpec;
  readonly params: SimpleRnnWeights;
  readonly inputSize: number;
  /** Size of h and of each output. */
  readonly outputSize: number;
  step(x: tf.Tensor2D, state: HState, options?: StepOptions): StepResult<HState>;
}

export function simpleRnnSpec(config: Omit<SimpleRnnConfig, 'seed'>): SimpleRnnSpec {
  const leak = finiteNumber(config.leak ?? 1, 'leak');
  if (!(leak > 0 && leak <= 1)) throw new ConfigError(`leak must be in (0, 1], received ${leak}`, 'leak');
  return {
    inputSize: positiveInteger(config.inputSize, 'inputSize'),
    units: positiveInteger(config.units, 'units'),
    activation: oneOf(config.activation ?? 'tanh', ['tanh', 'relu'] as const, 'activation'),
    leak,
    bias: config.bias ?? true,
  };
}

/**
 * Creates a SimpleRNN (Elman) cell.
 *
 * @example
 * const cell = simpleRNN({ inputSize: 8, units: 16, activation: 'relu', identityRecurrent: 1, seed: 0 }); // IRNN
 * const { output, state } = cell.step(x, { h }); // x: [batch, 8], h: [batch, 16]
 */
export function simpleRNN(config: SimpleRnnConfig): SimpleRnnCell {
  const spec = simpleRnnSpec(config);
  const seed = finiteNumber(config.seed, 'seed');
  const { inputSize, units } = spec;
  const defaults = schemeInits(config.initScheme ?? 'keras', units);
  const identity = config.identityRecurrent;
  if (identity !== undefined) finiteNumber(identity, 'identityRecurrent');
  const recurrentInit =
    identity !== undefined
      ? initializers.identity({ gain: identity })
      : (config.recurrentInit ?? defaults.recurrent);
  const params: SimpleRnnWeights = {
    inputKernel: createParameter(
      config.kernelInit ?? defaults.kernel,
      [inputSize, units],
      deriveSeed(seed, 'inputKernel'),
    ),
    recurrentKernel: createParameter(recurrentInit, [units, units], deriveSeed(seed, 'recurrentKernel')),
    bias: spec.bias
      ? createParameter(
          identity !== undefined ? initializers.zeros() : (config.biasInit ?? defaults.bias),
          [units],
          deriveSeed(seed, 'bias'),
        )
      : null,
  };
  return simpleRnnFromWeights(spec, params);
}

/** A cell around existing weights (used by the interop loaders). */
export function simpleRnnFromWeights(spec: SimpleRnnSpec, params: SimpleRnnWeights): SimpleRnnCell {
  return {
    kind: 'simpleRNN',
    config: spec,
    params,
    inputSize: spec.inputSize,
    outputSize: spec.units,
    step: (x, state, options) => simpleRnnStep(spec, params, x, state, options),
  };
}

/**
 * One step. x: [batch, inputSize], h: [batch, units] -> output = new h: [batch, units].
 * h_t = (1 - a) h_{t-1} + a f(x W + (h_{t-1} ⊙ m) U + b), with m the optional recurrent-dropout mask.
 */
export function simpleRnnStep(
  spec: SimpleRnnSpec,
  w: SimpleRnnWeights,
  x: tf.Tensor2D,
  state: HState,
  { recurrentMask }: StepOptions = {},
): StepResult<HState> {
  const h = tf.tidy(() => {
    const hr = recurrentMask ? tf.mul(state.h, recurrentMask) : state.h;
    let a = tf.add(tf.matMul(x, w.inputKernel), tf.matMul(hr, w.recurrentKernel)); // [batch, units]
    if (w.bias !== null) a = tf.add(a, w.bias);
    const f = spec.activation === 'relu' ? tf.relu(a) : tf.tanh(a);
    if (spec.leak === 1) return f as tf.Tensor2D;
    return tf.add(tf.mul(state.h, 1 - spec.leak), tf.mul(f, spec.leak)) as tf.Tensor2D;
  });
  return { output: h, state: { h } };
}
