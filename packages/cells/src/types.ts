import type * as tf from '@tensorflow/tfjs-core';

/** The state of a one-vector cell (SimpleRNN, GRU): h is [batch, units]. */
export type HState = { readonly h: tf.Tensor2D };

/** The state of an LSTM: h is [batch, outputSize] (units, or projSize with a projection), c is [batch, units]. */
export type LstmState = { readonly h: tf.Tensor2D; readonly c: tf.Tensor2D };

/** What one step of a cell returns. `output` is the step's output (for these cells, the new h). */
export interface StepResult<S> {
  readonly output: tf.Tensor2D;
  readonly state: S;
}

/** Per-step extras the runner passes to a cell's `step`. */
export interface StepOptions {
  /**
   * [batch, outputSize] recurrent-dropout mask (already scaled by 1 / (1 - rate)). It multiplies the
   * previous h where h enters the recurrent matmuls; the carried state itself is not masked.
   */
  readonly recurrentMask?: tf.Tensor2D;
}

/** How a cell's weights are initialised when no initializer is given (see each cell's docs). */
export type InitScheme = 'keras' | 'pytorch';
