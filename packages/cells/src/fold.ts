import { ShapeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import type { Cell } from './cell.js';
import { runFused } from './fused/kernel.js';
import { gatherRows, scatterRows } from './fused/kernels-common.js';

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

/**
 * Rows of a [V, G] table by id, differentiable w.r.t. the table: ids int32 [batch, time] -> [batch, time, G].
 * On cpu and wasm both directions are one JS pass (the wasm backend's gather is slow: 0.2 s for a [2048, 1024]
 * lookup on the benchmark machine), and an id outside [0, V) is an IdOutOfRangeError; elsewhere tf.gather.
 */
export function lookupRows(table: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor3D {
  if (!(ids instanceof tf.Tensor) || ids.rank !== 2 || ids.dtype !== 'int32') {
    throw new ShapeError('token ids (int32)', [null, null], ids instanceof tf.Tensor ? ids.shape : []);
  }
  const [B, T] = ids.shape;
  const [V, G] = table.shape;
  // ids are not an input of the op (no gradient); the caller's tensor outlives the backward pass.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const tbl = args[0] as tf.Tensor;
    const [rows] = runFused(gatherRows, { table: tbl, ids });
    return {
      value: tf.reshape(rows!, [B, T, G]),
      gradFunc: (dy: tf.Tensor) =>
        runFused(scatterRows, { dy: tf.reshape(dy, [B * T, G]), ids }, { rows: V })[0]!,
    };
  });
  return tf.tidy(() => op(table) as tf.Tensor3D);
}

/**
 * The step inputs of token ids, ready for `rnn(cell, ·, { inputsProjected: true })`: rows of
 * `foldInputProjection(cell, table)`, [batch, time, gates · units]. Differentiable w.r.t. the table, Wx and b.
 *
 * @example
 * const { outputs } = rnn(cell, projectTokens(cell, table, ids), { inputsProjected: true });
 */
export function projectTokens(cell: Cell, table: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => lookupRows(foldInputProjection(cell, table), ids));
}
