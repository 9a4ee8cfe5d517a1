import { ConfigError, deriveSeed, rate, ShapeError } from '@strand/base';
import type { Params } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { elementDropout } from './dropout-masks.js';
import type { Layer, LayerRun, RunContext } from './layer.js';
import { checkPartState, type Part, runPart } from './run-cell.js';

/** A deep RNN: each layer reads the previous layer's output sequence. */
export interface Stacked<Ls extends readonly Part[] = readonly Part[]> extends Layer<unknown[]> {
  readonly kind: 'stacked';
  readonly layers: Ls;
  /** Residual connections: layer i ≥ 1 outputs f_i(x_i) + x_i (Wu et al. 2016, GNMT). */
  readonly residual: boolean;
  /** Dropout rate on each layer's output sequence before the next layer, when training. */
  readonly dropout: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly params: readonly Params[];
}

export interface StackedOptions {
  /** Add each layer's input to its output from the second layer on (sizes must match). Default false. */
  readonly residual?: boolean;
  /** Dropout between layers (not after the last), only when training. Default 0. */
  readonly dropout?: number;
}

/**
 * Stacks layers into a deep RNN (Graves et al. 2013; PyTorch's num_layers).
 *
 * @example
 * const deep = stacked([lstm({ inputSize: 8, units: 32, seed: 1 }), lstm({ inputSize: 32, units: 32, seed: 2 })], {
 *   residual: true, dropout: 0.2,
 * });
 */
export function stacked<const Ls extends readonly Part[]>(
  layers: Ls,
  options: StackedOptions = {},
): Stacked<Ls> {
  if (layers.length === 0) throw new ConfigError('stacked needs at least one layer', 'layers');
  const residual = options.residual ?? false;
  const dropout = rate(options.dropout ?? 0, 'dropout');
  for (let i = 1; i < layers.length; i++) {
    const prev = layers[i - 1]!;
    const cur = layers[i]!;
    if (cur.inputSize !== prev.outputSize) {
      throw new ConfigError(
        `layer ${i} has inputSize ${cur.inputSize} but layer ${i - 1} outputs ${prev.outputSize}`,
        `layers.${i}.inputSize`,
      );
    }
    if (residual && cur.outputSize !== cur.inputSize) {
      throw new ConfigError(
        `residual connections need layer ${i}'s outputSize (${cur.outputSize}) to equal its inputSize (${cur.inputSize})`,
        'residual',
      );
    }
  }
  return {
    kind: 'stacked',
    layers,
    residual,
    dropout,
    inputSize: layers[0]!.inputSize,
    outputSize: layers[layers.length - 1]!.outputSize,
    params: layers.map((l) => l.params as Params),
    run: runStacked,
    checkState: checkStackedState,
  };
}

/**
 * outputs[b, t_b, :] where t_b is the last step processed that was valid (the last valid step, or the
 * first with reverse), computed on the device: argmax of mask · (1..T) picks the last 1 in each row.
 */
function lastValidOutputs(outputs: tf.Tensor3D, mask: tf.Tensor2D | null, reverse: boolean): tf.Tensor2D {
  const [B, T, F] = outputs.shape;
  if (T === 1) return tf.reshape(outputs, [B, F]); // one step: it is the last (tf.oneHot needs depth >= 2)
  const m = mask ?? tf.ones([B, T]);
  const ramp = reverse ? tf.range(T, 0, -1) : tf.range(1, T + 1); // [T]
  const idx = tf.argMax(tf.mul(m, ramp), 1); // [B]
  const pick = tf.expandDims(tf.oneHot(idx, T), 2); // [B, T, 1]
  return tf.sum(tf.mul(outputs, pick), 1) as tf.Tensor2D; // [B, F]
}

function runStacked(
  this: Stacked,
  x: tf.Tensor3D,
  initial: readonly unknown[] | undefined,
  ctx: RunContext,
): LayerRun<unknown[]> {
  const useDropout = ctx.training && this.dropout > 0;
  if (useDropout && ctx.seed === undefined)
    throw new ConfigError('dropout between layers needs a seed when training', 'seed');
  const maskCol = ctx.mask === null ? null : tf.expandDims(ctx.mask, 2); // [B, T, 1]
  const finals: unknown[] = [];
  let input = x;
  let top: LayerRun<unknown> | null = null;
  for (let i = 0; i < this.layers.length; i++) {
    const l = this.layers[i]!;
    if (i > 0 && useDropout)
      input = elementDropout(input, this.dropout, deriveSeed(ctx.seed!, `dropout.${i}`));
    const seed = ctx.seed === undefined ? undefined : deriveSeed(ctx.seed, `layers.${i}`);
    const run = runPart(l, input, initial?.[i], { ...ctx, seed });
    let outputs = run.outputs;
    if (this.residual && i > 0) {
      outputs = tf.add(outputs, input);
      if (maskCol !== null) outputs = tf.mul(outputs, maskCol); // padded steps stay zero
    }
    finals.push(run.final);
    top = { ...run, outputs };
    input = outputs;
  }
  let last = top!.last;
  if (ctx.needFinal && this.residual && this.layers.length > 1) {
    // With residual connections the top output at the last valid step includes the skip term: gather it.
    if (this.layers[this.layers.length - 1]!.kind === 'bidirectional') {
      throw new ConfigError(
        'returnSequences: false is not defined for a residual stack topped by a bidirectional layer; use returnSequences: true',
        'returnSequences',
      );
    }
    last = lastValidOutputs(input, ctx.mask, ctx.reverse);
  }
  return { outputs: input, final: ctx.needFinal ? finals : null, last };
}

function checkStackedState(this: Stacked, state: unknown, batch: number, what: string): void {
  if (!Array.isArray(state) || state.length !== this.layers.length) {
    throw new ShapeError(
      what,
      `an array of ${this.layers.length} layer states`,
      Array.isArray(state) ? [state.length] : [],
    );
  }
  for (let i = 0; i < this.layers.length; i++)
    checkPartState(this.layers[i]!, state[i], batch, `${what}.${i}`);
}
