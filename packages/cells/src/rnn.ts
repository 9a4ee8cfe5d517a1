import {
  ConfigError,
  finiteNumber,
  NonFiniteError,
  oneOf,
  positiveInteger,
  rate,
  ShapeError,
} from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import type { Cell } from './cell.js';
import { projectedWidth } from './fold.js';
import type { GradientMode, RunContext } from './layer.js';
import type { Recurrent, StateOf } from './recurrent.js';
import { checkPartState, isCell, type Part, runPart } from './run-cell.js';
import type { StateTree } from './state.js';

export interface RnnOptions<S = unknown> {
  /** The state to start from (zeros when absent): {h} or {h, c} for a cell, {forward, backward}, or one per stacked layer. */
  readonly initialState?: S;
  /** Return outputs for every step, [batch, time, outputSize] (default), or only the last, [batch, outputSize]. */
  readonly returnSequences?: boolean;
  /** Also return the final state (to continue the sequence later). Default false. */
  readonly returnState?: boolean;
  /** Read the sequence from its last step to its first. Outputs stay aligned with the input's time axis. */
  readonly reverse?: boolean;
  /** Valid length of each sequence (right padding); steps past it are padding. Exclusive with `mask`. */
  readonly lengths?: readonly number[] | Int32Array;
  /** [batch, time] of 1 (real step) and 0 (padding). Exclusive with `lengths`. */
  readonly mask?: tf.Tensor2D;
  /** Dropout applies only when true. Default false. */
  readonly training?: boolean;
  /** Seed of the dropout masks; required when training with any dropout. */
  readonly seed?: number;
  /** Dropout on the inputs, one mask per sequence (the same at every step). Default 0. */
  readonly inputDropout?: number;
  /** Dropout on h where it enters the recurrent matmul, one mask per sequence (Gal & Ghahramani 2016). Default 0. */
  readonly recurrentDropout?: number;
  /** Truncated BPTT: gradients flow back at most k steps (the state is detached before every k-th step). */
  readonly truncate?: number;
  /**
   * 'auto' (default): Strand's fused BPTT wherever it covers the cell, tfjs autodiff elsewhere.
   * 'fused': require the fused path (a ConfigError names what it does not cover). 'autodiff': the plain loop.
   */
  readonly gradient?: GradientMode;
  /**
   * Check inputs, the initial state, outputs and the final state for NaN and Inf, and raise a
   * NonFiniteError naming the tensor (`inputs`, `initialState.h`, `outputs`, `state.c`) and the first
   * time step (in input order) where one appears. Off by default: it reads a per-step flag back from the
   * device synchronously (so not on WebGPU in Node, which cannot read synchronously).
   */
  readonly checkFinite?: boolean;
  /**
   * The inputs are the cell's input projection x · Wx (+ b) already, [batch, time, gates · units], e.g. rows
   * of `foldInputProjection(cell, table)` gathered by token id. The cell then skips its per-sequence input
   * matmul (forward and backward). Cells on the fused path only (not peephole or layer-normalised LSTMs,
   * not compositions); not with `inputDropout` (dropout does not commute with the projection). Default false.
   */
  readonly inputsProjected?: boolean;
}

/**
 * What `rnn` returns: `outputs` ([batch, time, size], or [batch, size] with returnSequences: false) and,
 * with returnState: true, `state`.
 */
export type RnnResult<L, Seq extends boolean = true, St extends boolean = false> = {
  readonly outputs: false extends Seq ? tf.Tensor2D : tf.Tensor3D;
} & (true extends St ? { readonly state: StateOf<L> } : unknown);

/** Builds the [batch, time] mask for right-padded sequences, after checking every length. */
function lengthsMask(lengths: RnnOptions['lengths'], batch: number, time: number): tf.Tensor2D {
  const values = Array.from(lengths!);
  if (values.length !== batch) {
    throw new ShapeError('lengths', [batch], [values.length]);
  }
  const mask = new Float32Array(batch * time);
  values.forEach((len, b) => {
    if (!Number.isInteger(len) || len < 0 || len > time) {
      throw new ConfigError(
        `lengths[${b}] must be an integer in [0, ${time}] (the sequence length), received ${len}`,
        'lengths',
      );
    }
    mask.fill(1, b * time, b * time + len);
  });
  return tf.tensor2d(mask, [batch, time]);
}

/**
 * Runs a cell, or a composition of cells, over a batch of sequences.
 *
 * Padded steps (from `lengths` or `mask`) carry the state through unchanged and output zeros, and
 * nothing from them reaches the results or the gradients. Gradients come from Strand's fused BPTT
 * (a custom gradient over the whole sequence) where it covers the cell; see `gradient`.
 *
 * @param inputs [batch, time, inputSize], float32 (what `embed` returns, without a cast)
 * @returns outputs ([batch, time, outputSize], or [batch, outputSize] with returnSequences: false) and,
 *   with returnState, the final state.
 * @throws ShapeError for a wrong input rank or feature size, a mask or initial state of the wrong shape;
 *   ConfigError for invalid options (lengths out of range, both lengths and mask, dropout without a seed);
 *   NonFiniteError with `checkFinite: true`.
 *
 * @example
 * const cell = lstm({ inputSize: 16, units: 32, seed: 0 });
 * const { outputs, state } = rnn(cell, x, { lengths: [5, 3], returnState: true }); // outputs: [2, 5, 32]
 */
export function rnn<L extends Recurrent, Seq extends boolean = true, St extends boolean = false>(
  layer: L,
  inputs: tf.Tensor3D,
  options?: RnnOptions<StateOf<L>> & { readonly returnSequences?: Seq; readonly returnState?: St },
): RnnResult<L, Seq, St> {
  const o = (options ?? {}) as RnnOptions<unknown>;
  const returnSequences = o.returnSequences ?? true;
  const returnState = o.returnState ?? false;
  return tf.tidy(() => {
    const ctx = runContext(layer, inputs, o, returnState || !returnSequences);
    if (o.checkFinite) {
      checkFinite('inputs', inputs, 1);
      if (o.initialState !== undefined) checkFiniteTree('initialState', o.initialState as StateTree, -1);
    }
    const run = runPart(layer, inputs, o.initialState, ctx);
    const outputs = returnSequences ? run.outputs : run.last!;
    if (o.checkFinite) {
      checkFinite('outputs', run.outputs, 1);
      if (run.final !== null)
        checkFiniteTree('state', run.final as StateTree, o.reverse ? 0 : inputs.shape[1] - 1);
    }
    return (returnState ? { outputs, state: run.final } : { outputs }) as tf.TensorContainerObject;
  }) as unknown as RnnResult<L, Seq, St>;
}

/**
 * @internal Validates `rnn`'s inputs and options and builds the run context (call inside a `tf.tidy`:
 * it may create the mask tensor). Shared by `rnn` and `gradientNormsThroughTime`.
 */
export function runContext(
  layer: Recurrent,
  inputs: tf.Tensor3D,
  o: RnnOptions<unknown>,
  needFinal: boolean,
): RunContext {
  if (!(inputs instanceof tf.Tensor) || inputs.rank !== 3) {
    throw new ShapeError(
      'rnn inputs',
      [null, null, layer.inputSize],
      inputs instanceof tf.Tensor ? inputs.shape : [],
    );
  }
  const [B, T, F] = inputs.shape;
  const inputsProjected = o.inputsProjected ?? false;
  if (inputsProjected && !isCell(layer as Part)) {
    throw new ConfigError(
      `inputsProjected needs a single cell (lstm, gru, simpleRNN), received '${layer.kind}'`,
      'inputsProjected',
    );
  }
  const width = inputsProjected ? projectedWidth(layer as Cell) : layer.inputSize;
  if (F !== width || B === 0 || T === 0)
    throw new ShapeError(
      inputsProjected ? 'rnn inputs (projected)' : 'rnn inputs',
      [null, null, width],
      inputs.shape,
    );
  if (inputsProjected && (o.inputDropout ?? 0) > 0) {
    throw new ConfigError('inputDropout cannot be combined with inputsProjected', 'inputDropout');
  }
  if (inputs.dtype !== 'float32')
    throw new ConfigError(`rnn inputs must be float32, received ${inputs.dtype}`, 'rnn inputs');
  if (o.lengths !== undefined && o.mask !== undefined) {
    throw new ConfigError('give either lengths or mask, not both', 'lengths');
  }
  if (o.mask !== undefined && (o.mask.rank !== 2 || o.mask.shape[0] !== B || o.mask.shape[1] !== T)) {
    throw new ShapeError('mask', [B, T], o.mask.shape);
  }
  if (o.initialState !== undefined) checkPartState(layer, o.initialState, B, 'initialState');
  const truncate = o.truncate === undefined ? 0 : positiveInteger(o.truncate, 'truncate');
  const inputDropout = rate(o.inputDropout ?? 0, 'inputDropout');
  const recurrentDropout = rate(o.recurrentDropout ?? 0, 'recurrentDropout');
  const gradient = oneOf(o.gradient ?? 'auto', ['auto', 'fused', 'autodiff'] as const, 'gradient');
  if (o.seed !== undefined) finiteNumber(o.seed, 'seed');
  let mask: tf.Tensor2D | null = null;
  if (o.lengths !== undefined) mask = lengthsMask(o.lengths, B, T);
  else if (o.mask !== undefined) mask = o.mask.dtype === 'float32' ? o.mask : tf.cast(o.mask, 'float32');
  return {
    mask,
    reverse: o.reverse ?? false,
    training: o.training ?? false,
    seed: o.seed,
    inputDropout,
    recurrentDropout,
    truncate,
    gradient,
    needFinal,
    inputsProjected,
  };
}

/**
 * Throws a NonFiniteError if `t` holds NaN or Inf. With `timeAxis`, names the first time step that
 * does (t has shape [batch, time, ...]); otherwise `step` is reported as given.
 */
function checkFinite(name: string, t: tf.Tensor, timeAxis: number | null, step = -1): void {
  const bad = tf.tidy(() => {
    const notFinite = tf.logicalNot(tf.isFinite(t));
    if (timeAxis === null) return tf.any(notFinite).dataSync();
    const axes = t.shape.map((_, i) => i).filter((i) => i !== timeAxis);
    return tf.any(notFinite, axes).dataSync(); // one flag per step
  });
  const first = bad.indexOf(1);
  if (first < 0) return;
  const at = timeAxis === null ? step : first;
  throw new NonFiniteError(name, timeAxis === null ? 'NaN or Inf' : `NaN or Inf at time step ${first}`, at);
}

function checkFiniteTree(name: string, tree: StateTree, step: number): void {
  if (tree instanceof tf.Tensor) {
    checkFinite(name, tree, null, step);
    return;
  }
  for (const [key, value] of Object.entries(tree))
    checkFiniteTree(`${name}.${key}`, value as StateTree, step);
}
