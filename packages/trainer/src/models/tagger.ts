/**
 * Many-to-many, synced: one label per input step (part-of-speech tags, named entities), from a
 * recurrent encoder that is bidirectional by default (Graves & Schmidhuber 2005; Huang et al. 2015).
 */
import { nonNegativeInteger, positiveInteger } from '@strand/base';
import { deriveSeed, initializers, initLinear, type LinearParams, linear, type Params } from '@strand/core';
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

export type SequenceTaggerConfig = RecurrentConfig & {
  readonly kind: 'sequence-tagger';
  readonly vocabSize: number;
  readonly numTags: number;
  readonly embeddingDim?: number;
  /** Padding id (zero embedding; masked unless a mask is given). Default 0. */
  readonly padId?: number;
  readonly seed?: number;
};

export type SequenceTaggerParams = {
  readonly embedding: EmbeddingParams;
  readonly rnn: readonly Params[];
  readonly head: LinearParams;
};

export class SequenceTagger implements TrainableModel<null> {
  readonly training = 'window' as const;
  readonly params: SequenceTaggerParams;
  readonly numTags: number;
  readonly vocabSize: number;
  private readonly stack: RecurrentStack;
  private readonly dropoutRate: number;
  private readonly padId: number;

  constructor(readonly config: SequenceTaggerConfig) {
    const s = recurrentSettings({ ...config, bidirectional: config.bidirectional ?? true });
    const vocabSize = positiveInteger(config.vocabSize, 'vocabSize');
    this.vocabSize = vocabSize;
    this.numTags = positiveInteger(config.numTags, 'numTags');
    const dim = positiveInteger(config.embeddingDim ?? s.units, 'embeddingDim');
    const seed = nonNegativeInteger(config.seed ?? 0, 'seed');
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
    const head = initLinear({
      inputSize: this.stack.outputSize,
      outputSize: this.numTags,
      seed: deriveSeed(seed, 'head'),
    });
    this.params = { embedding, rnn: this.stack.params, head };
  }

  initialState(): null {
    return null;
  }

  /** ids [B, T] -> logits [B, T, numTags] (zero rows at padded steps). */
  forward(ids: tf.Tensor2D, _state: null, options: ForwardOptions): { logits: tf.Tensor3D; state: null } {
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
      const { outputs } = runStack(this.stack, x as tf.Tensor3D, undefined, {
        mask,
        training,
        seed: seed === undefined ? undefined : deriveSeed(seed, 'rnn'),
      });
      const h = maybeDropout(
        outputs,
        this.dropoutRate,
        training,
        seed === undefined ? undefined : deriveSeed(seed, 'out'),
      );
      return linear(this.params.head, h) as tf.Tensor3D;
    });
    return { logits, state: null };
  }

  keepState(): null {
    return null;
  }

  disposeState(): void {}
}

export function sequenceTagger(
  config: Omit<SequenceTaggerConfig, 'kind'> & { kind?: 'sequence-tagger' },
): SequenceTagger {
  return new SequenceTagger({ ...config, kind: 'sequence-tagger' });
}
