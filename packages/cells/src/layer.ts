import type { Params } from '@strand/core';
import type * as tf from '@tensorflow/tfjs-core';

/** How `rnn` computes gradients. 'auto': the fused BPTT where it covers the cell, autodiff elsewhere. */
export type GradientMode = 'auto' | 'fused' | 'autodiff';

/** Everything one layer run needs besides its inputs (built once by `rnn`, passed down the composition). */
export interface RunContext {
  /** [batch, time] float32 of 0/1, or null. */
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
  /** The inputs are x · Wx (+ b) already (`rnn`'s `inputsProjected`; cells on the fused path only). */
  readonly inputsProjected: boolean;
}

/** One layer's results. `final` and `last` are null when the context did not ask for them. */
export interface LayerRun<S> {
  /** [batch, time, outputSize], zeros at padded steps. */
  readonly outputs: tf.Tensor3D;
  readonly final: S | null;
  /** [batch, outputSize]: the output of the last step processed (the last valid one), per direction. */
  readonly last: tf.Tensor2D | null;
}

/**
 * A layer over sequences that carries its own `run`: bidirectional, stacked and skip layers. (A cell
 * is not a layer: the cell runner in run-cell.ts runs it; composites accept both, see `runPart`.)
 * Composites call their parts' `run`, so no layer module imports another.
 */
export interface Layer<S = unknown> {
  readonly kind: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly params: Params;
  /** Runs the layer on x: [batch, time, inputSize] from `initial` (zeros when undefined). */
  run(x: tf.Tensor3D, initial: S | undefined, ctx: RunContext): LayerRun<S>;
  /** Throws a ShapeError naming the path (`initialState.forward.c`) where `state` does not fit. */
  checkState(state: unknown, batch: number, what: string): void;
}
