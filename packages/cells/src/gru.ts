import { ConfigError, deriveSeed, finiteNumber, positiveInteger } from '@strand/base';
import { createParameter, type Initializer } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { schemeInits } from './init.js';
import type { HState, InitScheme, StepOptions, StepResult } from './types.js';

/**
 * GRU weights. The full GRU has gates r, z, n (reset, update, candidate) along the 3·units axis, as in
 * PyTorch; the minimal GRU has z, n along 2·units.
 */
export type GruWeights = {
  /** [inputSize, 3 · units] (full) or [inputSize, 2 · units] (minimal) */
  readonly inputKernel: tf.Variable;
  /** [units, 3 · units] (full) or [units, 2 · units] (minimal) */
  readonly recurrentKernel: tf.Variable;
  /** Input-side bias, same width as the kernels; null without a bias. */
  readonly bias: tf.Variable | null;
  /**
   * Recurrent-side bias [3 · units], only with resetAfter (PyTorch's bias_hh): its n block sits inside the
   * reset product, r ⊙ (h U_n + b_hn), so it cannot be folded into `bias`. Null otherwise.
   */
  readonly recurrentBias: tf.Variable | null;
};

export interface GruConfig {
  readonly inputSize: number;
  readonly units: number;
  /**
   * Apply the reset gate after the recurrent matmul: n = tanh(x W_n + b_n + r ⊙ (h U_n + b_hn)) (cuDNN,
   * PyTorch, Keras' default). False gives the original GRU of Cho et al. 2014: n = tanh(x W_n + (r ⊙ h) U_n + b_n)
   * (tfjs-layers). Default true. Not allowed with `minimal`.
   */
  readonly resetAfter?: boolean;
  /**
   * The minimal GRU: no reset gate (r ≡ 1), only the update gate:
   * z = σ(x W_z + h U_z + b_z), n = tanh(x W_n + h U_n + b_n), h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}. Default false.
   */
  readonly minimal?: boolean;
  /** Default true. */
  readonly bias?: boolean;
  /** Default 'keras' (see `schemeInits`). */
  readonly initScheme?: InitScheme;
  readonly kernelInit?: Initializer;
  readonly recurrentInit?: Initializer;
  readonly biasInit?: Initializer;
  readonly seed: number;
}

export interface GruSpec {
  readonly inputSize: number;
  readonly units: number;
  readonly resetAfter: boolean;
  readonly minimal: boolean;
  readonly bias: boolean;
}

export interface GruCell {
  readonly kind: 'gru';
  readonly config: GruSpec;
  readonly params: GruWeights;
  readonly inputSize: number;
  readonly outputSize: number;
  step(x: tf.Tensor2D, state: HState, options?: StepOptions): StepResult<HState>;
}

export function gruSpec(config: Omit<GruConfig, 'seed'>): GruSpec {
  const minimal = config.minimal ?? false;
  if (minimal && config.resetAfter !== undefined) {
    throw new ConfigError(
      'resetAfter has no meaning for the minimal GRU (it has no reset gate); leave it unset',
      'resetAfter',
    );
  }
  return {
    inputSize: positiveInteger(config.inputSize, 'inputSize'),
    units: positiveInteger(config.units, 'units'),
    resetAfter: minimal ? false : (config.resetAfter ?? true),
    minimal,
    bias: config.bias ?? true,
  };
}

/** Number of gate blocks: 3 (r, z, n) for the full GRU, 2 (z, n) for the minimal one. */
export function gruGates(spec: GruSpec): 2 | 3 {
  return spec.minimal ? 2 : 3;
}

/**
 * Creates a GRU cell (Cho et al. 2014).
 *
 * @example
 * const cell = gru({ inputSize: 8, units: 16, seed: 0 });                     // PyTorch/cuDNN convention
 * const keras1 = gru({ inputSize: 8, units: 16, resetAfter: false, seed: 0 }); // tfjs-layers convention
 */
export function gru(config: GruConfig): GruCell {
  const spec = gruSpec(config);
  const seed = finiteNumber(config.seed, 'seed');
  const { inputSize, units } = spec;
  const width = gruGates(spec) * units;
  const defaults = schemeInits(config.initScheme ?? 'keras', units);
  const biasInit = config.biasInit ?? defaults.bias;
  const params: GruWeights = {
    inputKernel: createParameter(
      config.kernelInit ?? defaults.kernel,
      [inputSize, width],
      deriveSeed(seed, 'inputKernel'),
    ),
    recurrentKernel: createParameter(
      config.recurrentInit ?? defaults.recurrent,
      [units, width],
      deriveSeed(seed, 'recurrentKernel'),
    ),
    bias: spec.bias ? createParameter(biasInit, [width], deriveSeed(seed, 'bias')) : null,
    recurrentBias:
      spec.bias && spec.resetAfter
        ? createParameter(biasInit, [width], deriveSeed(seed, 'recurrentBias'))
        : null,
  };
  return gruFromWeights(spec, params);
}

/** A cell around existing weights (used by the interop loaders). */
export function gruFromWeights(spec: GruSpec, params: GruWeights): GruCell {
  return {
    kind: 'gru',
    config: spec,
    params,
    inputSize: spec.inputSize,
    outputSize: spec.units,
    step: (x, state, options) => gruStep(spec, params, x, state, options),
  };
}

/**
 * One step. x: [batch, inputSize], h: [batch, units] -> output = new h: [batch, units].
 * Full GRU, with hr = h ⊙ m (m: optional recurrent-dropout mask):
 *   r = σ(x W_r + hr U_r + b_r),  z = σ(x W_z + hr U_z + b_z)
 *   resetAfter: n = tanh(x W_n + b_n + r ⊙ (hr U_n + b_hn));  else n = tanh(x W_n + b_n + (r ⊙ hr) U_n)
 *   h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
 * Minimal GRU: as above with r ≡ 1 and no reset product.
 */
export function gruStep(
  spec: GruSpec,
  w: GruWeights,
  x: tf.Tensor2D,
  state: HState,
  { recurrentMask }: StepOptions = {},
): StepResult<HState> {
  const u = spec.units;
  const h = tf.tidy(() => {
    const hPrev = state.h;
    const hr = recurrentMask ? tf.mul(hPrev, recurrentMask) : hPrev;
    let xw: tf.Tensor = tf.matMul(x, w.inputKernel);
    if (w.bias !== null) xw = tf.add(xw, w.bias);
    let z: tf.Tensor;
    let n: tf.Tensor;
    if (spec.minimal) {
      const [xz, xn] = tf.split(xw, 2, 1);
      const [hz, hn] = tf.split(tf.matMul(hr, w.recurrentKernel), 2, 1);
      z = tf.sigmoid(tf.add(xz!, hz!));
      n = tf.tanh(tf.add(xn!, hn!));
    } else if (spec.resetAfter) {
      let hw: tf.Tensor = tf.matMul(hr, w.recurrentKernel);
      if (w.recurrentBias !== null) hw = tf.add(hw, w.recurrentBias);
      const [xr, xz, xn] = tf.split(xw, 3, 1);
      const [hwr, hwz, hwn] = tf.split(hw, 3, 1);
      const r = tf.sigmoid(tf.add(xr!, hwr!));
      z = tf.sigmoid(tf.add(xz!, hwz!));
      n = tf.tanh(tf.add(xn!, tf.mul(r, hwn!)));
    } else {
      const [urz, un] = tf.split(w.recurrentKernel, [2 * u, u], 1);
      const [xr, xz, xn] = tf.split(xw, 3, 1);
      const [hwr, hwz] = tf.split(tf.matMul(hr, urz!), 2, 1);
      const r = tf.sigmoid(tf.add(xr!, hwr!));
      z = tf.sigmoid(tf.add(xz!, hwz!));
      n = tf.tanh(tf.add(xn!, tf.matMul(tf.mul(r, hr), un!)));
    }
    return tf.add(n, tf.mul(z, tf.sub(hPrev, n))) as tf.Tensor2D; // (1 - z) ⊙ n + z ⊙ h
  });
  return { output: h, state: { h } };
}
