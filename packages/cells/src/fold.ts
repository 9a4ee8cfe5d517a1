import { ShapeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import type { Cell } from './cell.js';

/** Width of a cell's input projection x · Wx: gates · units (4H for an LSTM, 3H or 2H for a GRU, H for an RNN). */
export function projectedWidth(cell: Cell): number {
  return cell.params.inputKernel.shape[1]!;
}

/**
 * Folds a cell's input projection into an embedding table: returns table · Wx (+ b), [vocabulary,
 * gates · units]. When the inputs are token ids, gathering rows of this table gives exactly the per-step
 * input projections, so `rnn(cell, rows, { inputsProjected: true })` computes the same outputs as
 * `rnn(cell, embed(ids))` without the [batch · time, E] × [E, gates · H] matmul (and its two backward
 * matmuls). Differentiable w.r.t. the table, Wx and b: call it inside the loss function so that their
 * gradients flow (through a [V, E] × [E, gates · H] product, cheap when V is small).
 *
 * Independent of any embedding package: `table` is any [vocabulary, inputSize] float32 tensor.
 *
 * @example
 * const loss = () => {
 *   const folded = foldInputProjection(cell, table);                       // [V, 4H]
 *   const xw = tf.reshape(tf.gather(folded, ids), [B, T, projectedWidth(cell)]);
 *   const { outputs } = rnn(cell, xw, { inputsProjected: true });
 *   return ...;
 * };
 */
export function foldInputProjection(cell: Cell, table: tf.Tensor2D): tf.Tensor2D {
  if (!(table instanceof tf.Tensor) || table.rank !== 2 || table.shape[1] !== cell.inputSize) {
    throw new ShapeError(
      'foldInputProjection table',
      [null, cell.inputSize],
      table instanceof tf.Tensor ? table.shape : [],
    );
  }
  const w = cell.params.inputKernel as tf.Tensor2D;
  const b = cell.params.bias as tf.Tensor1D | null;
  return b === null ? tf.matMul(table, w) : (tf.fused.matMul({ a: table, b: w, bias: b }) as tf.Tensor2D);
}
