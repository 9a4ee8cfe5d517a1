import { ConfigError, oneOf, positiveInteger, ShapeError } from '@strand/base';
import type { Params } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Cell, checkCellState, stateSizes, zeroCellState } from './cell.js';
import type { Layer, LayerRun, RunContext } from './layer.js';
import { sequenceDropout } from './run-cell.js';
import { type State, type Step, scan } from './scan.js';

/** The last `delay` cell states, oldest first: what a skip RNN needs to continue a sequence. */
export type SkipState<S> = readonly S[];

/**
 * A cell with skip connections through time: the state entering step t mixes the state after step t - 1
 * with the state after step t - d, s̃ = ½ (s_{t-1} + s_{t-d}) ('mean', the default) or their sum ('sum'),
 * so a gradient path of length T / d links distant steps (after the delayed connections of
 * Lin et al. 1996 and El Hihi & Bengio 1996). Before step d the initial state stands in for s_{t-d}.
 *
 * It is a cell wrapper: its step carries the last d cell states and is run by the same `scan` as any
 * cell, so masking (padded steps leave the whole history unchanged), reversal and truncation
 * (the whole history is detached every k steps) mean what they mean for a cell. Autodiff only: the
 * recurrence is not first order, so the fused path does not apply.
 */
export interface SkipRnn<C extends Cell = Cell> extends Layer<SkipState<State>> {
  readonly kind: 'skip';
  readonly cell: C;
  readonly delay: number;
  readonly combine: 'mean' | 'sum';
  readonly inputSize: number;
  readonly outputSize: number;
  readonly params: Params;
}

/**
 * @example
 * const s = skipConnections(lstm({ inputSize: 8, units: 16, seed: 0 }), { delay: 4 });
 * const { outputs } = rnn(s, x);
 */
export function skipConnections<C extends Cell>(
  cell: C,
  { delay, combine = 'mean' }: { readonly delay: number; readonly combine?: 'mean' | 'sum' },
): SkipRnn<C> {
  positiveInteger(delay, 'delay');
  if (delay < 2)
    throw new ConfigError(
      `delay must be at least 2 (1 is the ordinary recurrence), received ${delay}`,
      'delay',
    );
  oneOf(combine, ['mean', 'sum'] as const, 'combine');
  return {
    kind: 'skip',
    cell,
    delay,
    combine,
    inputSize: cell.inputSize,
    outputSize: cell.outputSize,
    params: cell.params as Params,
    run: runSkip,
    checkState: checkSkipState,
  };
}

/** The key of entry `key` of the i-th remembered state (0 = the oldest, s_{t-d}) in the flat scan state. */
const slot = (i: number, key: string) => `${i}.${key}`;

/**
 * The skip wrapper's step: from the flat state holding the last d cell states, mix s_{t-1} with s_{t-d},
 * step the cell, and shift the history by one.
 */
function skipStep(layer: SkipRnn): Step<State> {
  const { cell, delay } = layer;
  const keys = Object.keys(stateSizes(cell));
  const w = layer.combine === 'mean' ? 0.5 : 1;
  const step = cell.step as unknown as Step<State>;
  return (x, s, options) => {
    const mixed: Record<string, tf.Tensor2D> = {};
    for (const k of keys) mixed[k] = tf.mul(tf.add(s[slot(delay - 1, k)]!, s[slot(0, k)]!), w) as tf.Tensor2D;
    const next = step(x, mixed, options);
    const out: Record<string, tf.Tensor2D> = {};
    for (const k of keys) {
      for (let i = 0; i < delay - 1; i++) out[slot(i, k)] = s[slot(i + 1, k)]!;
      out[slot(delay - 1, k)] = next.state[k]!;
    }
    return { output: next.output, state: out };
  };
}

function runSkip(
  this: SkipRnn,
  x: tf.Tensor3D,
  initial: SkipState<State> | undefined,
  ctx: RunContext,
): LayerRun<State[]> {
  if (ctx.gradient === 'fused') {
    throw new ConfigError(
      "the fused path does not cover skip connections; use gradient: 'auto' or 'autodiff'",
      'gradient',
    );
  }
  const { cell, delay } = this;
  const keys = Object.keys(stateSizes(cell));
  const { xin, recMask } = sequenceDropout(x, cell.outputSize, ctx);
  const zero = zeroCellState(cell, x.shape[0]) as unknown as State;
  const history = initial ?? Array.from({ length: delay }, () => zero);
  const flat: Record<string, tf.Tensor2D> = {};
  history.forEach((h, i) => {
    for (const k of keys) flat[slot(i, k)] = h[k]!;
  });
  const { outputs, final } = scan(skipStep(this), xin, flat, {
    mask: ctx.mask,
    reverse: ctx.reverse,
    truncate: ctx.truncate,
    stepOptions: recMask ? { recurrentMask: recMask } : {},
  });
  const states = Array.from({ length: delay }, (_, i) => {
    const s: Record<string, tf.Tensor2D> = {};
    for (const k of keys) s[k] = final[slot(i, k)]!;
    return s as State;
  });
  return {
    outputs,
    final: ctx.needFinal ? states : null,
    last: ctx.needFinal ? states[delay - 1]!['h']! : null,
  };
}

function checkSkipState(this: SkipRnn, state: unknown, batch: number, what: string): void {
  if (!Array.isArray(state) || state.length !== this.delay) {
    throw new ShapeError(
      what,
      `an array of the last ${this.delay} cell states`,
      Array.isArray(state) ? [state.length] : [],
    );
  }
  for (let i = 0; i < state.length; i++) checkCellState(this.cell, state[i], batch, `${what}.${i}`);
}
