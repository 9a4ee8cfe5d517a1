import { ConfigError, deriveSeed, type Params } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Cell, zeroCellState } from './cell.js';
import { sequenceDropoutMask } from './dropout-masks.js';
import type { LayerRun, RunContext } from './run-cell.js';
import type { State } from './scan.js';
import { stopGradient } from './state.js';
import { positiveInteger } from './validate.js';

/** The last `delay` cell states, oldest first: what a skip RNN needs to continue a sequence. */
export type SkipState<S> = readonly S[];

/**
 * A cell with skip connections through time: the state entering step t mixes the state after step t - 1
 * with the state after step t - d, s̃ = ½ (s_{t-1} + s_{t-d}) ('mean', the default) or their sum ('sum'),
 * so a gradient path of length T / d links distant steps (after the delayed connections of
 * Lin et al. 1996 and El Hihi & Bengio 1996). Before step d the initial state stands in for s_{t-d}.
 */
export interface SkipRnn<C extends Cell = Cell> {
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
  if (combine !== 'mean' && combine !== 'sum')
    throw new ConfigError(`combine must be 'mean' or 'sum', received ${combine}`, 'combine');
  return {
    kind: 'skip',
    cell,
    delay,
    combine,
    inputSize: cell.inputSize,
    outputSize: cell.outputSize,
    params: cell.params as Params,
  };
}

function mapState(s: State, f: (v: tf.Tensor2D, k: string) => tf.Tensor): State {
  const out: Record<string, tf.Tensor2D> = {};
  for (const [k, v] of Object.entries(s)) out[k] = f(v, k) as tf.Tensor2D;
  return out;
}

/** Runs a skip RNN by plain autodiff (its recurrence is not first order, so the fused path does not apply). */
export function runSkip(
  layer: SkipRnn,
  x: tf.Tensor3D,
  initial: readonly State[] | undefined,
  ctx: RunContext,
): LayerRun<State[]> {
  if (ctx.gradient === 'fused') {
    throw new ConfigError(
      "the fused path does not cover skip connections; use gradient: 'auto' or 'autodiff'",
      'gradient',
    );
  }
  const { cell, delay } = layer;
  const [B, T, F] = x.shape;
  let xin = x;
  if (ctx.training && ctx.inputDropout > 0) {
    if (ctx.seed === undefined) throw new ConfigError('inputDropout needs a seed when training', 'seed');
    xin = tf.mul(
      x,
      tf.reshape(sequenceDropoutMask(B, F, ctx.inputDropout, deriveSeed(ctx.seed, 'inputDropout')), [
        B,
        1,
        F,
      ]),
    );
  }
  let recurrentMask: tf.Tensor2D | undefined;
  if (ctx.training && ctx.recurrentDropout > 0) {
    if (ctx.seed === undefined) throw new ConfigError('recurrentDropout needs a seed when training', 'seed');
    recurrentMask = sequenceDropoutMask(
      B,
      cell.outputSize,
      ctx.recurrentDropout,
      deriveSeed(ctx.seed, 'recurrentDropout'),
    );
  }
  const zero = zeroCellState(cell, B) as unknown as State;
  const history: State[] = initial ? [...initial] : Array.from({ length: delay }, () => zero);
  const steps = tf.unstack(xin, 1) as tf.Tensor2D[];
  const masks = ctx.mask === null ? null : (tf.unstack(tf.expandDims(ctx.mask, 2), 1) as tf.Tensor2D[]);
  const outputs: tf.Tensor2D[] = new Array(T);
  const step = cell.step as unknown as (
    x: tf.Tensor2D,
    s: State,
    o?: { recurrentMask?: tf.Tensor2D },
  ) => { output: tf.Tensor2D; state: State };
  const w = layer.combine === 'mean' ? 0.5 : 1;
  for (let s = 0; s < T; s++) {
    const t = ctx.reverse ? T - 1 - s : s;
    let prev = history[history.length - 1]!;
    if (ctx.truncate > 0 && s > 0 && s % ctx.truncate === 0) {
      prev = mapState(prev, (v) => stopGradient(v));
      history[history.length - 1] = prev;
    }
    const far = history[history.length - delay]!;
    const mixed = mapState(prev, (v, k) => tf.mul(tf.add(v, far[k]!), w));
    const next = step(steps[t]!, mixed, recurrentMask ? { recurrentMask } : {});
    let state = next.state;
    let out = next.output;
    const m = masks?.[t];
    if (m) {
      state = mapState(next.state, (v, k) => tf.add(tf.mul(v, m), tf.mul(prev[k]!, tf.sub(1, m))));
      out = tf.mul(out, m);
    }
    outputs[t] = out;
    history.push(state);
    if (history.length > delay) history.shift();
  }
  const final = history.slice(-delay);
  return {
    outputs: tf.stack(outputs, 1) as tf.Tensor3D,
    final: ctx.needFinal ? final : null,
    last: ctx.needFinal ? final[final.length - 1]!['h']! : null,
  };
}
