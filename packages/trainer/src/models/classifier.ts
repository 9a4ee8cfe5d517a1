/**
 * Many-to-one: a recurrent encoder over a padded batch, one vector per sequence (the last state, or
 * mean, max or attention pooling over the valid steps), then a linear layer to class logits.
 * Attention pooling is Yang et al. (2016): u_t = tanh(h_t W + b), a = softmax_t(u_t · v) over valid steps.
 */
import { nonNegativeInteger, oneOf, positiveInteger } from '@strand/base';
import {
  createParameter,
  deriveSeed,
  initializers,
  initLinear,
  type LinearParams,
  linear,
  type Params,
} from '@strand/core';
import { type EmbeddingParams, embed, initEmbedding } from '@strand/embeddings';
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardOptions, TrainableModel } from '../model.js';
import { checkIdsTensor, maybeDropout } from './common.js';
import {
  type RecurrentConfig,
  type RecurrentStack,
  recurrentSettings,
  recurrentStack,
  runStack,
} from './recurrent.js';

export type Pooling = 'last' | 'mean' | 'max' | 'attention';

export type SequenceClassifierConfig = RecurrentConfig & {
  readonly kind: 'sequence-classifier';
  readonly vocabSize: number;
  readonly numClasses: number;
  /** Default: units. */
  readonly embeddingDim?: number;
  /** Default 'last'. */
  readonly pooling?: Pooling;
  /** Padding id: its embedding row stays zero. Default 0 (base's `<pad>`). */
  readonly padId?: number;
  readonly seed?: number;
};

export type SequenceClassifierParams = {
  readonly embedding: EmbeddingParams;
  readonly rnn: readonly Params[];
  readonly attention: { readonly proj: LinearParams; readonly query: tf.Variable } | null;
  readonly head: LinearParams;
};

/** Masked pooling of outputs [B, T, H] with mask [B, T] (1 = valid) -> [B, H]. */
export function pool(
  kind: Exclude<Pooling, 'last'>,
  outputs: tf.Tensor3D,
  mask: tf.Tensor2D,
  attention: SequenceClassifierParams['attention'],
): tf.Tensor2D {
  return tf.tidy(() => {
    const m = tf.expandDims(mask, 2); // [B, T, 1]
    if (kind === 'mean')
      return tf.div(tf.sum(tf.mul(outputs, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
    if (kind === 'max') return tf.max(tf.add(outputs, tf.mul(tf.sub(1, m), -1e9)), 1) as tf.Tensor2D;
    const u = tf.tanh(linear(attention!.proj, outputs)); // [B, T, A]
    const scores = tf.sum(tf.mul(u, attention!.query), 2); // [B, T]
    const a = tf.softmax(tf.add(scores, tf.mul(tf.sub(1, mask), -1e9))); // [B, T]
    return tf.sum(tf.mul(outputs, tf.expandDims(a, 2)), 1) as tf.Tensor2D; // [B, H]
  });
}

export class SequenceClassifier implements TrainableModel<null> {
  readonly training = 'window' as const;
  readonly params: SequenceClassifierParams;
  readonly numClasses: number;
  readonly vocabSize: number;
  private readonly stack: RecurrentStack;
  private readonly pooling: Pooling;
  private readonly dropoutRate: number;
  private readonly padId: number;

  constructor(readonly config: SequenceClassifierConfig) {
    const s = recurrentSettings(config);
    const vocabSize = positiveInteger(config.vocabSize, 'vocabSize');
    this.vocabSize = vocabSize;
    this.numClasses = positiveInteger(config.numClasses, 'numClasses');
    const dim = positiveInteger(config.embeddingDim ?? s.units, 'embeddingDim');
    const seed = nonNegativeInteger(config.seed ?? 0, 'seed');
    this.pooling = oneOf(config.pooling ?? 'last', ['last', 'mean', 'max', 'attention'] as const, 'pooling');
    this.padId = nonNegativeInteger(config.padId ?? 0, 'padId');
    this.dropoutRate = s.dropout;
    const embedding = initEmbedding({
      vocabSize,
      dim,
      paddingIdx: this.padId,
      seed: deriveSeed(seed, 'embedding'),
      init: initializers.uniform({ min: -0.1, max: 0.1 }),
    });
    this.stack = recurrentStack(s, dim, deriveSeed(seed, 'rnn'));
    const H = this.stack.outputSize;
    const attention =
      this.pooling === 'attention'
        ? {
            proj: initLinear({ inputSize: H, outputSize: H, seed: deriveSeed(seed, 'attention') }),
            query: createParameter(initializers.normal({ stddev: 0.1 }), [H], deriveSeed(seed, 'query')),
          }
        : null;
    const head = initLinear({ inputSize: H, outputSize: this.numClasses, seed: deriveSeed(seed, 'head') });
    this.params = { embedding, rnn: this.stack.params, attention, head };
  }

  initialState(): null {
    return null;
  }

  /** ids [B, T] (padded with padId unless a mask is given) -> logits [B, numClasses]. */
  forward(ids: tf.Tensor2D, _state: null, options: ForwardOptions): { logits: tf.Tensor2D; state: null } {
    checkIdsTensor(ids);
    const { training, seed } = options;
    const logits = tf.tidy(() => {
      const mask = options.mask ?? (tf.cast(tf.notEqual(ids, this.padId), 'float32') as tf.Tensor2D);
      const e = embed(this.params.embedding, ids, { checkIds: false }) as tf.Tensor3D;
      const x = maybeDropout(
        e,
        this.dropoutRate,
        training,
        seed === undefined ? undefined : deriveSeed(seed, 'in'),
      );
      const rnnSeed = seed === undefined ? undefined : deriveSeed(seed, 'rnn');
      const last = this.pooling === 'last';
      const { outputs } = runStack(this.stack, x as tf.Tensor3D, undefined, {
        mask,
        training,
        seed: rnnSeed,
        lastOnly: last,
      });
      const pooled = last
        ? (outputs as tf.Tensor2D)
        : pool(this.pooling as Exclude<Pooling, 'last'>, outputs as tf.Tensor3D, mask, this.params.attention);
      const h = maybeDropout(
        pooled,
        this.dropoutRate,
        training,
        seed === undefined ? undefined : deriveSeed(seed, 'out'),
      );
      return linear(this.params.head, h) as tf.Tensor2D;
    });
    return { logits, state: null };
  }

  keepState(): null {
    return null;
  }

  disposeState(): void {}
}

export function sequenceClassifier(
  config: Omit<SequenceClassifierConfig, 'kind'> & { kind?: 'sequence-classifier' },
): SequenceClassifier {
  return new SequenceClassifier({ ...config, kind: 'sequence-classifier' });
}
