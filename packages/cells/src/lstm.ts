import { ConfigError, deriveSeed, finiteNumber, positiveInteger } from '@strand/base';
import {
  createParameter,
  type Initializer,
  initializers,
  type LayerNormParams,
  layerNorm,
} from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { schemeInits } from './init.js';
import type { InitScheme, LstmState, StepOptions, StepResult } from './types.js';

/**
 * LSTM weights, gates in the order i, f, g, o (input, forget, candidate, output) along the 4·units axis,
 * as in PyTorch and Keras. All four gates come from one fused matmul per input.
 */
export type LstmWeights = {
  /** [inputSize, 4 · units] */
  readonly inputKernel: tf.Variable;
  /** [outputSize, 4 · units]; outputSize = projSize when projecting, else units. */
  readonly recurrentKernel: tf.Variable;
  /** [4 · units], or null without a bias. */
  readonly bias: tf.Variable | null;
  /** Peephole weights (Gers & Schmidhuber 2000), each [units]; null without peepholes. */
  readonly peephole: { readonly i: tf.Variable; readonly f: tf.Variable; readonly o: tf.Variable } | null;
  /** [units, projSize]: h = (o ⊙ tanh c) · projection (PyTorch's proj_size); null without. */
  readonly projection: tf.Variable | null;
  /** Layer normalisation (Ba et al. 2016) of the input and recurrent projections ([4 · units]) and of c ([units]). */
  readonly layerNorm: {
    readonly input: LayerNormParams;
    readonly recurrent: LayerNormParams;
    readonly cell: LayerNormParams;
  } | null;
};

export interface LstmConfig {
  readonly inputSize: number;
  readonly units: number;
  /** Default true. */
  readonly bias?: boolean;
  /** Initial value of the forget-gate bias (Jozefowicz et al. 2015). Default 1. */
  readonly forgetBias?: number;
  /** Peephole connections from c to the gates. Default false. */
  readonly peephole?: boolean;
  /** Project h to this size (PyTorch's proj_size, Sak et al. 2014). Default: no projection. */
  readonly projSize?: number;
  /** Layer-normalised LSTM (Ba et al. 2016). Default false. */
  readonly layerNorm?: boolean;
  /** Epsilon of the layer normalisations. Default 1e-5. */
  readonly layerNormEpsilon?: number;
  /** Default 'keras' (see `schemeInits`). */
  readonly initScheme?: InitScheme;
  readonly kernelInit?: Initializer;
  readonly recurrentInit?: Initializer;
  readonly biasInit?: Initializer;
  readonly seed: number;
}

/** The validated, JSON-serializable part of the config that the cell keeps. */
export interface LstmSpec {
  readonly inputSize: number;
  readonly units: number;
  readonly bias: boolean;
  readonly peephole: boolean;
  /** 0 = no projection. */
  readonly projSize: number;
  readonly layerNorm: boolean;
  readonly layerNormEpsilon: number;
}

export interface LstmCell {
  readonly kind: 'lstm';
  readonly config: LstmSpec;
  readonly params: LstmWeights;
  readonly inputSize: number;
  /** Size of h and of each output: projSize when projecting, else units. */
  readonly outputSize: number;
  step(x: tf.Tensor2D, state: LstmState, options?: StepOptions): StepResult<LstmState>;
}

export function lstmSpec(config: Omit<LstmConfig, 'seed'>): LstmSpec {
  const units = positiveInteger(config.units, 'units');
  const projSize = config.projSize === undefined ? 0 : positiveInteger(config.projSize, 'projSize');
  if (projSize >= units && projSize !== 0) {
    // PyTorch's rule: a projection must shrink h.
    throw new ConfigError(`projSize (${projSize}) must be smaller than units (${units})`, 'projSize');
  }
  const epsilon = finiteNumber(config.layerNormEpsilon ?? 1e-5, 'layerNormEpsilon');
  if (!(epsilon > 0))
    throw new ConfigError(`layerNormEpsilon must be positive, received ${epsilon}`, 'layerNormEpsilon');
  if (config.layerNormEpsilon !== undefined && !config.layerNorm) {
    throw new ConfigError('layerNormEpsilon is set but layerNorm is not enabled', 'layerNormEpsilon');
  }
  return {
    inputSize: positiveInteger(config.inputSize, 'inputSize'),
    units,
    bias: config.bias ?? true,
    peephole: config.peephole ?? false,
    projSize,
    layerNorm: config.layerNorm ?? false,
    layerNormEpsilon: epsilon,
  };
}

function layerNormParams(size: number): LayerNormParams {
  return {
    gamma: createParameter(initializers.ones(), [size], 0),
    beta: createParameter(initializers.zeros(), [size], 0),
  };
}

/**
 * Creates an LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).
 *
 * @example
 * const cell = lstm({ inputSize: 65, units: 128, seed: 0 });
 * const { output, state } = cell.step(x, { h, c }); // x: [batch, 65]; h, c: [batch, 128]
 */
export function lstm(config: LstmConfig): LstmCell {
  const spec = lstmSpec(config);
  const seed = finiteNumber(config.seed, 'seed');
  if (config.forgetBias !== undefined) finiteNumber(config.forgetBias, 'forgetBias');
  if (config.forgetBias !== undefined && !spec.bias) {
    throw new ConfigError('forgetBias is set but the cell has no bias (bias: false)', 'forgetBias');
  }
  const { inputSize, units, projSize } = spec;
  const outputSize = projSize || units;
  const defaults = schemeInits(config.initScheme ?? 'keras', units);
  let bias: tf.Variable | null = null;
  if (spec.bias) {
    const forgetBias = config.forgetBias ?? 1;
    const init = config.biasInit ?? defaults.bias;
    bias = createParameter(
      (shape, s) =>
        tf.tidy(() => {
          const b = init(shape, s);
          const fMask = tf.concat([tf.zeros([units]), tf.ones([units]), tf.zeros([2 * units])]);
          return tf.add(tf.mul(b, tf.sub(1, fMask)), tf.mul(fMask, forgetBias)); // f block := forgetBias
        }),
      [4 * units],
      deriveSeed(seed, 'bias'),
    );
  }
  const params: LstmWeights = {
    inputKernel: createParameter(
      config.kernelInit ?? defaults.kernel,
      [inputSize, 4 * units],
      deriveSeed(seed, 'inputKernel'),
    ),
    recurrentKernel: createParameter(
      config.recurrentInit ?? defaults.recurrent,
      [outputSize, 4 * units],
      deriveSeed(seed, 'recurrentKernel'),
    ),
    bias,
    peephole: spec.peephole
      ? {
          i: createParameter(defaults.bias, [units], deriveSeed(seed, 'peephole.i')),
          f: createParameter(defaults.bias, [units], deriveSeed(seed, 'peephole.f')),
          o: createParameter(defaults.bias, [units], deriveSeed(seed, 'peephole.o')),
        }
      : null,
    projection:
      projSize > 0
        ? createParameter(
            config.kernelInit ?? defaults.kernel,
            [units, projSize],
            deriveSeed(seed, 'projection'),
          )
        : null,
    layerNorm: spec.layerNorm
      ? {
          input: layerNormParams(4 * units),
          recurrent: layerNormParams(4 * units),
          cell: layerNormParams(units),
        }
      : null,
  };
  return lstmFromWeights(spec, params);
}

/** A cell around existing weights (used by the interop loaders). */
export function lstmFromWeights(spec: LstmSpec, params: LstmWeights): LstmCell {
  return {
    kind: 'lstm',
    config: spec,
    params,
    inputSize: spec.inputSize,
    outputSize: spec.projSize || spec.units,
    step: (x, state, options) => lstmStep(spec, params, x, state, options),
  };
}

/**
 * One step. x: [batch, inputSize]; h: [batch, outputSize]; c: [batch, units].
 *   z = x Wx + (h ⊙ m) Wh + b                  (one fused matmul per input, [batch, 4 · units])
 *   i = σ(z_i + p_i ⊙ c_{t-1}), f = σ(z_f + p_f ⊙ c_{t-1}), g = tanh(z_g)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g;   o = σ(z_o + p_o ⊙ c_t);   h_t = o ⊙ tanh(c_t) [· P]
 * With layerNorm: z = LN(x Wx) + LN((h ⊙ m) Wh) + b and h_t = o ⊙ tanh(LN(c_t)) (Ba et al. 2016).
 * The output is the new h.
 */
export function lstmStep(
  spec: LstmSpec,
  w: LstmWeights,
  x: tf.Tensor2D,
  state: LstmState,
  { recurrentMask }: StepOptions = {},
): StepResult<LstmState> {
  const [h, c] = tf.tidy(() => {
    const hr = recurrentMask ? tf.mul(state.h, recurrentMask) : state.h;
    let xz: tf.Tensor = tf.matMul(x, w.inputKernel); // [batch, 4 · units]
    let hz: tf.Tensor = tf.matMul(hr, w.recurrentKernel); // [batch, 4 · units]
    const ln = w.layerNorm;
    const eps = { epsilon: spec.layerNormEpsilon };
    if (ln !== null) {
      xz = layerNorm(ln.input, xz, eps);
      hz = layerNorm(ln.recurrent, hz, eps);
    }
    let z = tf.add(xz, hz);
    if (w.bias !== null) z = tf.add(z, w.bias);
    let [zi, zf, zg, zo] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const cPrev = state.c;
    if (w.peephole !== null) {
      zi = tf.add(zi, tf.mul(w.peephole.i, cPrev));
      zf = tf.add(zf, tf.mul(w.peephole.f, cPrev));
    }
    const cNext = tf.add(tf.mul(tf.sigmoid(zf), cPrev), tf.mul(tf.sigmoid(zi), tf.tanh(zg))) as tf.Tensor2D;
    if (w.peephole !== null) zo = tf.add(zo, tf.mul(w.peephole.o, cNext));
    const cOut = ln !== null ? layerNorm(ln.cell, cNext, eps) : cNext;
    let hNext = tf.mul(tf.sigmoid(zo), tf.tanh(cOut)) as tf.Tensor2D;
    if (w.projection !== null) hNext = tf.matMul(hNext, w.projection);
    return [hNext, cNext];
  });
  return { output: h, state: { h, c } };
}
