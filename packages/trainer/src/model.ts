/**
 * What the trainer trains and the decoders decode. A model is plain data (a typed JSON config and
 * a parameter tree) plus pure functions; this interface bundles the functions so that the loop, the
 * checkpoints and the decoders work the same for a recurrent language model here and for the
 * transformer in `@strand/attention`.
 */
import type { SampleOptions, Sequence } from '@strand/base';
import type { Params } from '@strand/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Training mode and randomness are arguments, never hidden modes. */
export interface ForwardOptions {
  /** Dropout and other training-only behaviour on. */
  readonly training: boolean;
  /** Seed of this call's dropout masks; the loop derives one per step. */
  readonly seed?: number;
  /** [batch, time] of 1 (real step) and 0 (padding), for padded batches of variable length. */
  readonly mask?: tf.Tensor2D;
}

/** Every model config is JSON with a `kind` tag, stored in checkpoints to rebuild the model. */
export interface ModelConfig {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/**
 * What the training loop needs of any model: a language model, a classifier or a tagger.
 * `logits` is [batch, time, classes] for per-step models and [batch, classes] for many-to-one ones.
 */
export interface TrainableModel<S = unknown> {
  readonly config: ModelConfig;
  readonly params: Params;
  /** See AutoregressiveModel; classifiers and taggers are 'window' (every batch starts fresh). */
  readonly training: 'stream' | 'window';
  initialState(batch: number): S;
  forward(
    ids: tf.Tensor2D,
    state: S,
    options: ForwardOptions,
  ): { readonly logits: tf.Tensor; readonly state: S };
  keepState(state: S): S;
  disposeState(state: S): void;
}

/**
 * An autoregressive model over token ids: recurrent LMs (state = the cells' state tree) and
 * transformers (state = the key/value cache and the position).
 *
 * Shapes: ids [batch, time] int32 -> logits [batch, time, vocabSize].
 */
export interface AutoregressiveModel<S = unknown> extends TrainableModel<S> {
  readonly config: ModelConfig;
  readonly params: Params;
  readonly vocabSize: number;
  /**
   * 'stream': state carries over from one chunk to the next (recurrent: truncated BPTT over
   * contiguous streams). 'window': every batch starts from a fresh state (transformers: random
   * windows of at most `contextLength`).
   */
  readonly training: 'stream' | 'window';
  /** Longest sequence one forward can take (a learned position table's size); Infinity for RNNs. */
  readonly contextLength: number;
  /** The state before the first token, for a batch. */
  initialState(batch: number): S;
  /** Runs `ids` on from `state`. Differentiable; call inside tf.tidy / a gradient closure. */
  forward(
    ids: tf.Tensor2D,
    state: S,
    options: ForwardOptions,
  ): { readonly logits: tf.Tensor3D; readonly state: S };
  /** A copy of `state` that gradients do not flow through and that outlives the enclosing tidy. */
  keepState(state: S): S;
  disposeState(state: S): void;
  /**
   * The state of batch rows `rows` (beam search reorders beams with it); the input state stays
   * valid. Optional: without it, decoders gather every tensor of the state tree along axis 0.
   */
  selectState?(state: S, rows: readonly number[]): S;
}

/**
 * The asynchronous twin of @strand/base's `SequenceModel`, for backends that cannot read tensors
 * synchronously (WebGPU in Node): the same values, as promises.
 */
export interface AsyncSequenceModel {
  logProbAsync(sequence: Sequence): Promise<number>;
  perplexityAsync(sequences: readonly Sequence[]): Promise<number>;
  sampleAsync(length: number, options?: SampleOptions): Promise<Int32Array>;
}
