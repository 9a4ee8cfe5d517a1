/**
 * What the trainer trains and the decoders decode. A model is plain data (a typed JSON config and
 * a parameter tree) plus pure functions; this interface bundles the functions so that the loop, the
 * checkpoints and the decoders work the same for a recurrent language model here and for the
 * transformer in `@strand/attention`.
 */
import type { Params } from '@strand/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Training mode and randomness are arguments, never hidden modes. */
export interface ForwardOptions {
  /** Dropout and other training-only behaviour on. */
  readonly training: boolean;
  /** Seed of this call's dropout masks; the loop derives one per step. */
  readonly seed?: number;
}

/** Every model config is JSON with a `kind` tag, stored in checkpoints to rebuild the model. */
export interface ModelConfig {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/**
 * An autoregressive model over token ids: recurrent LMs (state = the cells' state tree) and
 * transformers (state = the key/value cache and the position).
 *
 * Shapes: ids [batch, time] int32 -> logits [batch, time, vocabSize].
 */
export interface AutoregressiveModel<S = unknown> {
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
  forward(ids: tf.Tensor2D, state: S, options: ForwardOptions): { readonly logits: tf.Tensor3D; readonly state: S };
  /** A copy of `state` that gradients do not flow through and that outlives the enclosing tidy. */
  keepState(state: S): S;
  disposeState(state: S): void;
}
