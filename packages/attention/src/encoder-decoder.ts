/**
 * The interface shared by the encoder-decoder models (recurrent Seq2Seq with or without attention,
 * and the transformer encoder-decoder), and the bridge that lets the trainer's decoders (greedy,
 * sampling, beam search over any AutoregressiveModel) decode them: `conditionedOn(model, source)`
 * is an AutoregressiveModel over target ids whose state carries the encoder memory, so reordering
 * beams (a gather along the batch axis of every tensor in the state) reorders the memory too.
 */
import { ShapeError } from '@strand/base';
import type { Params } from '@strand/core';
import type { AutoregressiveModel, ForwardOptions, ModelConfig } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { tidy } from './tidy.js';

export interface EncodeOptions {
  /** [batch, sourceLength]; 1 = real token, 0 = padding. */
  readonly sourceMask?: tf.Tensor2D;
  readonly training: boolean;
  readonly seed?: number;
}

/** What one decoder step returns. */
export interface DecoderStep<S> {
  /** [batch, targetVocabSize] */
  readonly logits: tf.Tensor2D;
  readonly state: S;
  /** [batch, sourceLength]: where this step looked (null without attention). */
  readonly attention: tf.Tensor2D | null;
}

export interface TeacherForcingOptions extends EncodeOptions {
  /**
   * Probability of feeding the reference token (rather than the model's own argmax) at each step
   * after the first. 1 (default) = full teacher forcing; below 1 = scheduled sampling (Bengio et al. 2015),
   * which needs `seed`.
   */
  readonly teacherForcing?: number;
}

export interface Seq2SeqOutput {
  /** [batch, targetLength, targetVocabSize] */
  readonly logits: tf.Tensor3D;
  /** [batch, targetLength, sourceLength]: the attention weights of every decoding step (null without attention). */
  readonly attention: tf.Tensor3D | null;
}

/**
 * An encoder-decoder model. Memory M and decoder state S are records of tensors whose first axis
 * is the batch.
 */
export interface EncoderDecoderModel<M = unknown, S = unknown> {
  readonly config: ModelConfig;
  readonly params: Params;
  readonly sourceVocabSize: number;
  readonly targetVocabSize: number;
  /** Longest target a decoder can produce (a learned table's size); Infinity for recurrent decoders. */
  readonly maxTargetLength: number;
  /** @param source [batch, sourceLength] int32 */
  encode(source: tf.Tensor2D, options: EncodeOptions): M;
  /** The decoder state before the first target token. */
  initialState(memory: M): S;
  /** One decoder step. @param previous [batch] int32: the previous target token (<bos> first). */
  step(previous: tf.Tensor1D, state: S, memory: M, options: ForwardOptions): DecoderStep<S>;
  /**
   * Training pass: encode, then decode `targetIn` ([batch, targetLength], starting with <bos>),
   * feeding reference tokens with probability `teacherForcing`.
   */
  forward(source: tf.Tensor2D, targetIn: tf.Tensor2D, options: TeacherForcingOptions): Seq2SeqOutput;
}

/** Every tensor in a state/memory tree, with `fn` applied (keeps the tree's shape). */
export function mapTensors<T>(tree: T, fn: (t: tf.Tensor) => tf.Tensor): T {
  if (tree instanceof tf.Tensor) return fn(tree) as unknown as T;
  if (Array.isArray(tree)) return tree.map((t) => mapTensors(t, fn)) as unknown as T;
  if (tree !== null && typeof tree === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(tree)) out[k] = mapTensors(v, fn);
    return out as T;
  }
  return tree;
}

export function disposeTensors(tree: unknown): void {
  mapTensors(tree, (t) => {
    t.dispose();
    return t;
  });
}

/** State of `conditionedOn`: the decoder state plus the memory it attends to. */
export interface ConditionedState<M, S> {
  readonly memory: M;
  readonly decoder: S;
}

/**
 * An AutoregressiveModel over target ids, conditioned on `source`: what the trainer's greedy,
 * sampling and beam-search decoders take. `initialState(batch)` repeats the memory of a single
 * source sentence `batch` times (or takes the memory as is when the batch sizes agree).
 *
 * @example
 * const lm = conditionedOn(model, tf.tensor2d([srcIds], undefined, 'int32'));
 * const best = beamSearch(lm, [BOS_ID], { beamWidth: 4, maxTokens: 20, eosId: EOS_ID });
 */
export function conditionedOn<M, S>(
  model: EncoderDecoderModel<M, S>,
  source: tf.Tensor2D,
  { sourceMask }: { readonly sourceMask?: tf.Tensor2D } = {},
): AutoregressiveModel<ConditionedState<M, S>> & { dispose(): void } {
  const memory = tidy(() =>
    mapTensors(model.encode(source, { training: false, ...(sourceMask ? { sourceMask } : {}) }), (t) =>
      tf.keep(t),
    ),
  );
  const sourceBatch = source.shape[0];
  const keep = (state: ConditionedState<M, S>) => tidy(() => mapTensors(state, (t) => tf.keep(t.clone())));
  return {
    config: { kind: 'conditioned', model: model.config },
    params: model.params,
    vocabSize: model.targetVocabSize,
    training: 'window',
    contextLength: model.maxTargetLength,
    initialState(batch) {
      if (batch !== sourceBatch && sourceBatch !== 1)
        throw new ShapeError('decoder batch', [sourceBatch], [batch]);
      return tidy(() => {
        const mem =
          batch === sourceBatch
            ? mapTensors(memory, (t) => t.clone())
            : mapTensors(memory, (t) => tf.concat(Array(batch).fill(t), 0));
        return mapTensors({ memory: mem, decoder: model.initialState(mem) }, (t) => tf.keep(t));
      });
    },
    forward(ids, state, options) {
      const [batch, T] = ids.shape;
      return tidy(() => {
        let decoder = state.decoder;
        const logits: tf.Tensor2D[] = [];
        for (let t = 0; t < T; t++) {
          const prev = tf.reshape(tf.slice(ids, [0, t], [batch, 1]), [batch]) as tf.Tensor1D;
          const r = model.step(prev, decoder, state.memory, options);
          logits.push(r.logits);
          decoder = r.state;
        }
        return { logits: tf.stack(logits, 1) as tf.Tensor3D, state: { memory: state.memory, decoder } };
      });
    },
    keepState: keep,
    disposeState: (state) => disposeTensors(state),
    dispose: () => disposeTensors(memory),
  };
}
