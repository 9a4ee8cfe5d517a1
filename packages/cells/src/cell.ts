import { ShapeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import type { GruCell } from './gru.js';
import type { LstmCell } from './lstm.js';
import type { SimpleRnnCell } from './simple-rnn.js';
import type { HState, LstmState } from './types.js';

/** Any of the three cells. */
export type Cell = SimpleRnnCell | LstmCell | GruCell;

/** The state record a cell carries: {h, c} for an LSTM, {h} otherwise. */
export type CellState<C extends Cell> = C extends LstmCell ? LstmState : HState;

/** Sizes of each state entry: h is [batch, outputSize]; an LSTM's c is [batch, units]. */
export function stateSizes(cell: Cell): Readonly<Record<string, number>> {
  return cell.kind === 'lstm' ? { h: cell.outputSize, c: cell.config.units } : { h: cell.outputSize };
}

/** The all-zero state for `batch` sequences (what `rnn` starts from when no initial state is given). */
export function zeroCellState<C extends Cell>(cell: C, batch: number): CellState<C> {
  const out: Record<string, tf.Tensor2D> = {};
  for (const [key, size] of Object.entries(stateSizes(cell))) out[key] = tf.zeros([batch, size]);
  return out as unknown as CellState<C>;
}

/** Throws a ShapeError naming the entry (`initialState.c`) when a state record does not fit the cell. */
export function checkCellState(cell: Cell, state: unknown, batch: number, what: string): void {
  if (state === null || typeof state !== 'object') {
    throw new ShapeError(what, `a state record {${Object.keys(stateSizes(cell)).join(', ')}}`, []);
  }
  for (const [key, size] of Object.entries(stateSizes(cell))) {
    const t = (state as Record<string, unknown>)[key];
    if (!(t instanceof tf.Tensor)) {
      throw new ShapeError(`${what}.${key}`, [batch, size], []);
    }
    if (t.rank !== 2 || t.shape[0] !== batch || t.shape[1] !== size)
      throw new ShapeError(`${what}.${key}`, [batch, size], t.shape);
  }
}
