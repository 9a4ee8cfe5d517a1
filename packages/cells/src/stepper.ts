import { IdOutOfRangeError, ShapeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { type Cell, type CellState, checkCellState, zeroCellState } from './cell.js';
import { foldInputProjection } from './fold.js';
import { runFused } from './fused/kernel.js';
import {
  cellStep,
  STEP_GRU_AFTER,
  STEP_GRU_MINIMAL,
  STEP_LSTM,
  STEP_RNN_RELU,
  STEP_RNN_TANH,
} from './fused/kernels-step.js';
import { rnn } from './rnn.js';

export interface StepperOptions<C extends Cell> {
  /**
   * An embedding table [vocabulary, inputSize]: `step(tokenId)` then reads row tokenId of
   * table · Wx + b, folded once when the stepper is made (a snapshot: make a new stepper after the
   * weights change).
   */
  readonly table?: tf.Tensor2D;
  /** The state to start from (zeros for one sequence when absent). Copied; the caller keeps its own. */
  readonly initialState?: CellState<C>;
}

/** Runs a cell one step at a time, carrying its state (generation, streaming). */
export interface Stepper<C extends Cell> {
  /** The current state (owned by the stepper: valid until the next step, reset or dispose). */
  readonly state: CellState<C>;
  /** Whether the one-launch kernel runs this cell (false: a one-step `rnn`, same numbers, slower). */
  readonly fast: boolean;
  /**
   * One step. input: a token id (needs `table`; one sequence) or x [batch, inputSize].
   * @returns the new h, [batch, outputSize] (the state's h: clone it to keep it past the next step)
   */
  step(input: number | tf.Tensor2D): tf.Tensor2D;
  /** Starts again from `state` (copied) or zeros. */
  reset(state?: CellState<C>): void;
  /** Frees the state and the folded table. */
  dispose(): void;
}

function variantOf(cell: Cell): number | null {
  switch (cell.kind) {
    case 'lstm':
      return cell.config.peephole || cell.config.layerNorm || cell.params.projection !== null
        ? null
        : STEP_LSTM;
    case 'gru':
      return cell.config.minimal ? STEP_GRU_MINIMAL : cell.config.resetAfter ? STEP_GRU_AFTER : null;
    case 'simpleRNN':
      return cell.config.activation === 'relu' ? STEP_RNN_RELU : STEP_RNN_TANH;
  }
}

/** Keeps the state's tensors: a step may run inside the caller's `tf.tidy`, which must not free the state. */
const keepState = <S>(s: S): S => {
  for (const t of Object.values(s as Record<string, tf.Tensor>)) tf.keep(t);
  return s;
};

const copyState = <S>(s: S): S =>
  Object.fromEntries(Object.entries(s as Record<string, tf.Tensor>).map(([k, t]) => [k, tf.clone(t)])) as S;

/**
 * A stepper for fast step-by-step runs (sampling one token at a time). Per step it launches one matmul
 * (h · Wh) and one fused kernel for everything else (the input row, all gates, c and h), instead of the
 * couple of dozen small ops (and tensor allocations) of a one-step `rnn`; with `table`, the input
 * projection is a row of the folded table, so there is no input matmul either. Covered: LSTM (not
 * peephole, layer-normalised or projected), GRU (resetAfter or minimal) and simple RNNs; other cells run
 * a one-step `rnn` (`fast` is false). Forward only (no gradients): for training use `rnn`.
 *
 * @example
 * const s = stepper(cell, { table: embedding });
 * let token = BOS_ID;
 * for (let i = 0; i < 100; i++) {
 *   const logits = tf.tidy(() => linear(head, s.step(token)));
 *   token = sample(await logits.data()); logits.dispose();
 * }
 * s.dispose();
 */
export function stepper<C extends Cell>(cell: C, options: StepperOptions<C> = {}): Stepper<C> {
  const variant = variantOf(cell);
  const { table } = options;
  if (table !== undefined && (table.rank !== 2 || table.shape[1] !== cell.inputSize)) {
    throw new ShapeError('stepper table', [null, cell.inputSize], table.shape);
  }
  const folded = table !== undefined && variant !== null ? tf.keep(foldInputProjection(cell, table)) : null;
  const fresh = (s?: CellState<C>): CellState<C> => {
    if (s === undefined) return keepState(zeroCellState(cell, 1));
    checkCellState(cell, s, s.h.shape[0], 'stepper state');
    return keepState(copyState(s));
  };
  let state = fresh(options.initialState);
  const w = cell.params;
  const bh = cell.kind === 'gru' ? cell.params.recurrentBias : null;

  const tokenRow = (token: number): void => {
    if (table === undefined) {
      throw new ShapeError('stepper input', 'a [batch, inputSize] tensor (token ids need options.table)', []);
    }
    if (state.h.shape[0] !== 1)
      throw new ShapeError('stepper state (token input)', [1, cell.outputSize], state.h.shape);
    if (!Number.isInteger(token) || token < 0 || token >= table.shape[0]) {
      throw new IdOutOfRangeError(token, -1, table.shape[0], 'token');
    }
  };

  const slow = (input: number | tf.Tensor2D): CellState<C> =>
    tf.tidy(() => {
      const x = typeof input === 'number' ? tf.gather(table!, [input]) : input;
      const r = rnn(cell as never, tf.expandDims(x, 1) as tf.Tensor3D, {
        initialState: state as never,
        returnState: true,
      }) as unknown as { state: CellState<C> };
      return r.state as unknown as tf.TensorContainerObject;
    }) as unknown as CellState<C>;

  const fast = (input: number | tf.Tensor2D): CellState<C> => {
    const hPrev = state.h;
    const a = tf.matMul(hPrev, w.recurrentKernel as tf.Tensor2D); // [batch, G]
    let xw: tf.Tensor | null = null;
    const inputs: Record<string, tf.Tensor | null> = {
      a,
      hPrev,
      cPrev: (state as { c?: tf.Tensor }).c ?? null,
      bh,
    };
    const attrs: Record<string, number> = {
      variant: variant!,
      leak: cell.kind === 'simpleRNN' ? cell.config.leak : 1,
    };
    if (typeof input === 'number') {
      if (folded !== null) {
        inputs['table'] = folded;
        attrs['row'] = input;
      } else {
        xw = tf.tidy(() => foldInputProjection(cell, tf.gather(table!, [input])));
        inputs['xw'] = xw;
      }
    } else {
      xw = foldInputProjection(cell, input);
      inputs['xw'] = xw;
    }
    // tidy: the composed (`ops`) kernel makes intermediates; the JS one makes only its outputs.
    const out = tf.tidy(() => runFused(cellStep, inputs, attrs));
    a.dispose();
    xw?.dispose();
    return (cell.kind === 'lstm' ? { h: out[0], c: out[1] } : { h: out[0] }) as unknown as CellState<C>;
  };

  return {
    get state() {
      return state;
    },
    fast: variant !== null,
    step(input) {
      if (typeof input === 'number') tokenRow(input);
      else if (input.rank !== 2 || input.shape[1] !== cell.inputSize || input.shape[0] !== state.h.shape[0]) {
        throw new ShapeError('stepper input', [state.h.shape[0], cell.inputSize], input.shape);
      }
      const next = variant === null ? slow(input) : fast(input);
      tf.dispose(Object.values(state as Record<string, tf.Tensor>));
      state = keepState(next);
      return state.h as tf.Tensor2D;
    },
    reset(s) {
      const next = fresh(s);
      tf.dispose(Object.values(state as Record<string, tf.Tensor>));
      state = next;
    },
    dispose() {
      tf.dispose(Object.values(state as Record<string, tf.Tensor>));
      folded?.dispose();
    },
  };
}
