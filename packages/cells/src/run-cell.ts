import { ConfigError, deriveSeed } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Cell } from './cell.js';
import { zeroCellState } from './cell.js';
import { sequenceDropoutMask } from './dropout-masks.js';
import { type FusedCell, type NormProbe, runFusedCell } from './fused/driver.js';
import { fusedGru, gruFusedWeights } from './fused/gru.js';
import { fusedLstm, lstmFusedUnsupported, lstmFusedWeights } from './fused/lstm.js';
import { fusedSimpleRnn, simpleRnnFusedWeights } from './fused/simple.js';
import { type State, scanCell } from './scan.js';

/** How `rnn` computes gradients. 'auto': the fused BPTT where it covers the cell, autodiff elsewhere. */
export type GradientMode = 'auto' | 'fused' | 'autodiff';

/** Everything a layer run needs besides its inputs. */
export interface RunContext {
  readonly mask: tf.Tensor2D | null;
  readonly reverse: boolean;
  readonly training: boolean;
  readonly seed: number | undefined;
  readonly inputDropout: number;
  readonly recurrentDropout: number;
  readonly truncate: number;
  readonly gradient: GradientMode;
  /** Whether the caller needs final states (returnState, or the last output). */
  readonly needFinal: boolean;
  /** @internal gradientNormsThroughTime's receiver. */
  readonly probe?: NormProbe;
  /** @internal autodiff probes: zero tensors added to h_t, one per step. */
  readonly hProbes?: readonly tf.Tensor2D[];
}

/** One layer's results. `final` and `last` are null when the context did not ask for them. */
export interface LayerRun<S> {
  /** [batch, time, outputSize], zeros at padded steps. */
  readonly outputs: tf.Tensor3D;
  readonly final: S | null;
  /** [batch, outputSize]: the output of the last step processed (the last valid one), per direction. */
  readonly last: tf.Tensor2D | null;
}

/** Why the fused path cannot run this cell, or null when it can. */
export function fusedUnsupported(cell: Cell): string | null {
  return cell.kind === 'lstm' ? lstmFusedUnsupported(cell) : null;
}

function fusedFor(cell: Cell): { fused: FusedCell; weights: tf.Tensor[] } {
  switch (cell.kind) {
    case 'lstm':
      return { fused: fusedLstm(cell), weights: lstmFusedWeights(cell) };
    case 'gru':
      return { fused: fusedGru(cell), weights: gruFusedWeights(cell) };
    case 'simpleRNN':
      return { fused: fusedSimpleRnn(cell), weights: simpleRnnFusedWeights(cell) };
  }
}

function needSeed(ctx: RunContext, what: string): number {
  if (ctx.seed === undefined)
    throw new ConfigError(`${what} needs a seed when training (options.seed)`, 'seed');
  return ctx.seed;
}

/**
 * Runs one cell over a sequence: dropout masks, then the fused path or `scan`.
 * @returns outputs [batch, time, outputSize] (zeros at padded steps), the final state, the last output.
 */
export function runCell(
  cell: Cell,
  x: tf.Tensor3D,
  initial: State | undefined,
  ctx: RunContext,
): LayerRun<State> {
  const [B, , F] = x.shape;
  let xin = x;
  if (ctx.training && ctx.inputDropout > 0) {
    const m = sequenceDropoutMask(
      B,
      F,
      ctx.inputDropout,
      deriveSeed(needSeed(ctx, 'inputDropout'), 'inputDropout'),
    );
    xin = tf.mul(x, tf.reshape(m, [B, 1, F])); // one mask per sequence, shared by every step
  }
  const recMask =
    ctx.training && ctx.recurrentDropout > 0
      ? sequenceDropoutMask(
          B,
          cell.outputSize,
          ctx.recurrentDropout,
          deriveSeed(needSeed(ctx, 'recurrentDropout'), 'recurrentDropout'),
        )
      : null;
  const init = initial ?? (zeroCellState(cell, B) as unknown as State);
  const reason = fusedUnsupported(cell);
  if (ctx.gradient === 'fused' && reason !== null) {
    throw new ConfigError(
      `the fused path does not cover ${reason}; use gradient: 'auto' or 'autodiff'`,
      'gradient',
    );
  }
  if (ctx.gradient !== 'autodiff' && reason === null && ctx.hProbes === undefined) {
    const { fused, weights } = fusedFor(cell);
    const states = cell.kind === 'lstm' ? [init['h']!, init['c']!] : [init['h']!];
    const { outputs, finals } = runFusedCell(
      fused,
      { x: xin, states, weights, mask: ctx.mask, recMask },
      { reverse: ctx.reverse, truncate: ctx.truncate },
      { wantFinals: ctx.needFinal, probe: ctx.probe ?? null },
    );
    if (!ctx.needFinal) return { outputs, final: null, last: null };
    const final: State = cell.kind === 'lstm' ? { h: finals[0]!, c: finals[1]! } : { h: finals[0]! };
    return { outputs, final, last: final['h']! };
  }
  const { outputs, final } = scanCell(cell, xin, init, {
    mask: ctx.mask,
    reverse: ctx.reverse,
    truncate: ctx.truncate,
    stepOptions: recMask ? { recurrentMask: recMask } : {},
    hProbes: ctx.hProbes,
  });
  return { outputs, final, last: final['h']! };
}
