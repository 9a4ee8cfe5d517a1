import { ConfigError, deriveSeed } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { type Cell, checkCellState, zeroCellState } from './cell.js';
import { sequenceDropoutMask } from './dropout-masks.js';
import { type FusedCell, type NormProbe, runFusedCell } from './fused/driver.js';
import { fusedGru, gruFusedWeights } from './fused/gru.js';
import { fusedLstm, lstmFusedUnsupported, lstmFusedWeights } from './fused/lstm.js';
import { fusedSimpleRnn, simpleRnnFusedWeights } from './fused/simple.js';
import type { GradientMode, Layer, LayerRun, RunContext } from './layer.js';
import { type State, type Step, scan } from './scan.js';

export type { GradientMode, LayerRun, RunContext };

/** A part of a composition: a cell (run by the cell runner here) or a layer that carries its own `run`. */
export type Part = Cell | Layer;

export function isCell(part: Part): part is Cell {
  return part.kind === 'lstm' || part.kind === 'gru' || part.kind === 'simpleRNN';
}

/** Runs a part: a cell through the cell runner, a layer through its own `run`. */
export function runPart(part: Part, x: tf.Tensor3D, initial: unknown, ctx: RunContext): LayerRun<unknown> {
  return isCell(part) ? runCell(part, x, initial as State | undefined, ctx) : part.run(x, initial, ctx);
}

/** Checks a part's state (ShapeError naming the path). */
export function checkPartState(part: Part, state: unknown, batch: number, what: string): void {
  if (isCell(part)) checkCellState(part, state, batch, what);
  else part.checkState(state, batch, what);
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
 * The variational dropout of one recurrent layer: x with its input mask applied (one mask per sequence,
 * shared by every step), and the [batch, recurrentSize] recurrent mask (or null).
 */
export function sequenceDropout(
  x: tf.Tensor3D,
  recurrentSize: number,
  ctx: RunContext,
): { xin: tf.Tensor3D; recMask: tf.Tensor2D | null } {
  const [B, , F] = x.shape;
  let xin = x;
  if (ctx.training && ctx.inputDropout > 0) {
    const seed = deriveSeed(needSeed(ctx, 'inputDropout'), 'inputDropout');
    xin = tf.mul(x, tf.reshape(sequenceDropoutMask(B, F, ctx.inputDropout, seed), [B, 1, F]));
  }
  const recMask =
    ctx.training && ctx.recurrentDropout > 0
      ? sequenceDropoutMask(
          B,
          recurrentSize,
          ctx.recurrentDropout,
          deriveSeed(needSeed(ctx, 'recurrentDropout'), 'recurrentDropout'),
        )
      : null;
  return { xin, recMask };
}

/**
 * @internal What `gradientNormsThroughTime` attaches to one cell run (never part of the run context):
 * the fused path's norm receiver, or the autodiff path's zero probes (one [batch, size] per step).
 */
export interface CellProbes {
  readonly probe?: NormProbe;
  readonly hProbes?: readonly tf.Tensor2D[];
}

/**
 * The cell runner: dropout masks, then the fused path or `scan`.
 * @returns outputs [batch, time, outputSize] (zeros at padded steps), the final state, the last output.
 */
export function runCell(
  cell: Cell,
  x: tf.Tensor3D,
  initial: State | undefined,
  ctx: RunContext,
  probes: CellProbes = {},
): LayerRun<State> {
  const { xin, recMask } = sequenceDropout(x, cell.outputSize, ctx);
  const init = initial ?? (zeroCellState(cell, x.shape[0]) as unknown as State);
  const reason = fusedUnsupported(cell);
  if (ctx.gradient === 'fused' && reason !== null) {
    throw new ConfigError(
      `the fused path does not cover ${reason}; use gradient: 'auto' or 'autodiff'`,
      'gradient',
    );
  }
  if (ctx.inputsProjected && (reason !== null || ctx.gradient === 'autodiff' || probes.hProbes)) {
    throw new ConfigError(
      `inputsProjected needs the fused path, which does not run ${reason ?? (ctx.gradient === 'autodiff' ? "with gradient: 'autodiff'" : 'under gradient probes')}`,
      'inputsProjected',
    );
  }
  if (ctx.gradient !== 'autodiff' && reason === null && probes.hProbes === undefined) {
    const { fused, weights } = fusedFor(cell);
    const states = cell.kind === 'lstm' ? [init['h']!, init['c']!] : [init['h']!];
    const { outputs, finals } = runFusedCell(
      fused,
      { x: xin, states, weights, mask: ctx.mask, recMask },
      { reverse: ctx.reverse, truncate: ctx.truncate, projected: ctx.inputsProjected },
      { wantFinals: ctx.needFinal, probe: probes.probe ?? null },
    );
    if (!ctx.needFinal) return { outputs, final: null, last: null };
    const final: State = cell.kind === 'lstm' ? { h: finals[0]!, c: finals[1]! } : { h: finals[0]! };
    return { outputs, final, last: final['h']! };
  }
  const { outputs, final } = scan(cell.step as unknown as Step<State>, xin, init, {
    mask: ctx.mask,
    reverse: ctx.reverse,
    truncate: ctx.truncate,
    stepOptions: recMask ? { recurrentMask: recMask } : {},
    hProbes: probes.hProbes,
  });
  return { outputs, final, last: final['h']! };
}
