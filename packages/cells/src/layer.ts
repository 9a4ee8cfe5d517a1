import { ShapeError } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Bidirectional, runBidirectional } from './bidirectional.js';
import { type Cell, checkCellState } from './cell.js';
import type { GruCell } from './gru.js';
import type { LstmCell } from './lstm.js';
import { type LayerRun, type RunContext, runCell } from './run-cell.js';
import type { State } from './scan.js';
import type { SimpleRnnCell } from './simple-rnn.js';
import { runSkip, type SkipRnn, type SkipState } from './skip.js';
import { runStacked, type Stacked } from './stacked.js';
import type { HState, LstmState } from './types.js';

/** Anything `rnn` can run over a sequence: a cell or a composition of cells. */
export type Recurrent = Cell | Bidirectional | Stacked | SkipRnn;

/**
 * The state a layer carries between calls (what `returnState` gives and `initialState` takes).
 * (The depth counter stops TypeScript from unfolding the recursive default types forever.)
 */
export type StateOf<L, D extends readonly unknown[] = []> = D['length'] extends 5
  ? unknown
  : L extends LstmCell
    ? LstmState
    : L extends SimpleRnnCell | GruCell
      ? HState
      : L extends Bidirectional<infer F, infer B>
        ? { readonly forward: StateOf<F, [...D, 0]>; readonly backward: StateOf<B, [...D, 0]> }
        : L extends Stacked<infer Ls>
          ? { readonly [K in keyof Ls]: StateOf<Ls[K], [...D, 0]> }
          : L extends SkipRnn<infer C>
            ? SkipState<StateOf<C, [...D, 0]>>
            : never;

/** Runs any layer; the composites call back into this for their parts. */
export function runLayer(
  layer: Recurrent,
  x: tf.Tensor3D,
  initial: unknown,
  ctx: RunContext,
): LayerRun<unknown> {
  switch (layer.kind) {
    case 'bidirectional':
      return runBidirectional(layer, x, initial as never, ctx);
    case 'stacked':
      return runStacked(layer, x, initial as never, ctx);
    case 'skip':
      return runSkip(layer, x, initial as never, ctx);
    default:
      return runCell(layer, x, initial as State | undefined, ctx);
  }
}

/** Throws a ShapeError naming the path (`initialState.forward.c`) where a state does not fit the layer. */
export function checkLayerState(layer: Recurrent, state: unknown, batch: number, what: string): void {
  switch (layer.kind) {
    case 'bidirectional': {
      const s = asRecord(state, what, '{forward, backward}');
      checkLayerState(layer.forward, s['forward'], batch, `${what}.forward`);
      checkLayerState(layer.backward, s['backward'], batch, `${what}.backward`);
      return;
    }
    case 'stacked': {
      if (!Array.isArray(state) || state.length !== layer.layers.length) {
        throw new ShapeError(
          what,
          `an array of ${layer.layers.length} layer states`,
          Array.isArray(state) ? [state.length] : [],
        );
      }
      for (let i = 0; i < layer.layers.length; i++)
        checkLayerState(layer.layers[i]!, state[i], batch, `${what}.${i}`);
      return;
    }
    case 'skip': {
      if (!Array.isArray(state) || state.length !== layer.delay) {
        throw new ShapeError(
          what,
          `an array of the last ${layer.delay} cell states`,
          Array.isArray(state) ? [state.length] : [],
        );
      }
      for (let i = 0; i < state.length; i++) checkCellState(layer.cell, state[i], batch, `${what}.${i}`);
      return;
    }
    default:
      checkCellState(layer, state, batch, what);
  }
}

function asRecord(state: unknown, what: string, expected: string): Record<string, unknown> {
  if (state === null || typeof state !== 'object' || state instanceof tf.Tensor)
    throw new ShapeError(what, `a record ${expected}`, []);
  return state as Record<string, unknown>;
}
