/**
 * The optimizer and scheduler contracts the loop, the checkpoints and the CLI rely on.
 * Parameters and gradients are keyed by parameter path (`namedParameters` of `@strand/core`),
 * never by engine variable names, so state saved from one process loads in another.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** An optimizer's savable state: JSON scalars plus named tensors (`exp_avg.<path>`, ...). */
export interface OptimizerState {
  readonly kind: string;
  /** Number of steps taken (PyTorch's per-parameter `step`, which is the same for all here). */
  readonly step: number;
  /** The hyperparameters, learning rate included. */
  readonly config: Readonly<Record<string, number | boolean | string>>;
  /** Buffers keyed `<buffer>.<parameter path>`; the optimizer keeps ownership of the tensors. */
  readonly tensors: ReadonlyMap<string, tf.Tensor>;
  /**
   * Per-parameter step counts (PyTorch keeps one per parameter; they differ from `step` only for
   * parameters that were skipped by some updates). Optional for states written without it.
   */
  readonly steps?: Readonly<Record<string, number>>;
}

export interface Optimizer {
  readonly kind: string;
  /** The current learning rate; settable (schedulers set it). */
  learningRate: number;
  /**
   * One update, PyTorch's rule step for step: `params` and `grads` share keys (parameter paths).
   * Gradients are not disposed; a path missing from `grads` is left unchanged (as a PyTorch
   * parameter whose `.grad` is None).
   */
  apply(params: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>): void;
  state(): OptimizerState;
  /** Restores `state()`'s output (copies the tensors). */
  restore(state: OptimizerState): void;
  dispose(): void;
}

export interface SchedulerState {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/**
 * A learning-rate scheduler with PyTorch's step semantics: constructed with the optimizer (which
 * gets the initial rate), then `step()` once per step (or epoch) after `optimizer.apply`.
 */
export interface Scheduler {
  readonly kind: string;
  /** The rate the optimizer has now (PyTorch's `get_last_lr()[0]`). */
  readonly lastLr: number;
  /** Advances one step and sets the optimizer's rate. `metric`: for reduce-on-plateau only. */
  step(metric?: number): number;
  state(): SchedulerState;
  restore(state: SchedulerState): void;
}
