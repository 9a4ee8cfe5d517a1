/**
 * A recurrent language model (Mikolov et al. 2010; Zaremba et al. 2014; tied embeddings: Press & Wolf
 * 2017, Inan et al. 2017): token embedding -> stack of LSTM/GRU/RNN layers -> output projection.
 * Dropout, when configured, sits on every non-recurrent connection: after the embedding, between
 * layers and before the output projection (Zaremba et al.).
 */
import {
  ConfigError,
  nonNegativeInteger,
  perplexityFromLogProb,
  positiveInteger,
  type SampleOptions,
  type Sequence,
  type SequenceModel,
} from '@strand/base';
import { type Cell, fusedUnsupported, projectTokens, type StateTree } from '@strand/cells';
import { deriveSeed, initializers, initLinear, type LinearParams, linear, type Params } from '@strand/core';
import { type EmbeddingParams, embed, initEmbedding } from '@strand/embeddings';
import * as tf from '@tensorflow/tfjs-core';
import { sample as sampleTokens, sampleAsync as sampleTokensAsync } from '../decoding/generate.js';
import type { AsyncSequenceModel, AutoregressiveModel, ForwardOptions } from '../model.js';
import { checkIdsTensor, checkIdValues, maybeDropout, recurrentStateOps, tidy } from './common.js';
import { sequenceLogProbs, sequenceLogProbsAsync } from './log-prob.js';
import {
  type RecurrentConfig,
  type RecurrentStack,
  recurrentSettings,
  recurrentStack,
  runStack,
  zeroStackState,
} from './recurrent.js';

export type LanguageModelConfig = RecurrentConfig & {
  readonly kind: 'language-model';
  readonly vocabSize: number;
  /** Default: `units` (what weight tying needs). */
  readonly embeddingDim?: number;
  /** Share the embedding table with the output projection (needs embeddingDim == units). Default false. */
  readonly tieWeights?: boolean;
  /**
   * A start token: logProb scores every symbol given it, and `sample` starts from it. Without one
   * (default, as for models trained on contiguous streams) the first symbol is context only.
   */
  readonly bosId?: number | null;
  /** Seed of the initial weights. Default 0. */
  readonly seed?: number;
};

export type LanguageModelParams = {
  readonly embedding: EmbeddingParams;
  readonly rnn: readonly Params[];
  /** kernel [units, vocab] and bias, or only the bias when tied. */
  readonly head: LinearParams | { readonly bias: tf.Variable };
};

/** The model: its config and weights (plain data) and the functions over them. */
export class LanguageModel implements AutoregressiveModel<StateTree>, SequenceModel, AsyncSequenceModel {
  readonly training = 'stream' as const;
  readonly contextLength = Number.POSITIVE_INFINITY;
  readonly vocabSize: number;
  readonly params: LanguageModelParams;
  private readonly stack: RecurrentStack;
  private readonly dropoutRate: number;
  /** The bottom layer is a single cell on the fused path, so its input projection can fold into the table. */
  private readonly foldable: boolean;

  constructor(readonly config: LanguageModelConfig) {
    const s = recurrentSettings(config);
    this.vocabSize = positiveInteger(config.vocabSize, 'vocabSize');
    const dim = positiveInteger(config.embeddingDim ?? s.units, 'embeddingDim');
    const seed = nonNegativeInteger(config.seed ?? 0, 'seed');
    if (config.bosId !== undefined && config.bosId !== null)
      checkIdValues([config.bosId], this.vocabSize, 'bosId');
    if (config.tieWeights && (dim !== s.units || s.bidirectional)) {
      throw new ConfigError(
        `tieWeights needs embeddingDim (${dim}) equal to units (${s.units}) and a unidirectional stack`,
        'tieWeights',
      );
    }
    this.dropoutRate = s.dropout;
    const embedding = initEmbedding({
      vocabSize: this.vocabSize,
      dim,
      seed: deriveSeed(seed, 'embedding'),
      // Small initial vectors (as the word-LM references): N(0, 1) embeddings slow the first steps down.
      init: initializers.uniform({ min: -0.1, max: 0.1 }),
    });
    this.stack = recurrentStack(s, dim, deriveSeed(seed, 'rnn'));
    const head = config.tieWeights
      ? { bias: tf.variable(tf.zeros([this.vocabSize]), true) }
      : initLinear({
          inputSize: this.stack.outputSize,
          outputSize: this.vocabSize,
          seed: deriveSeed(seed, 'head'),
        });
    this.params = { embedding, rnn: this.stack.params, head };
    const bottom = this.stack.layers[0]!;
    this.foldable = bottom.kind !== 'bidirectional' && fusedUnsupported(bottom as Cell) === null;
  }

  initialState(batch: number): StateTree {
    return zeroStackState(this.stack, positiveInteger(batch, 'batch'));
  }

  /** ids [batch, time] int32 -> logits [batch, time, vocabSize] and the state after the last step. */
  forward(
    ids: tf.Tensor2D,
    state: StateTree,
    options: ForwardOptions,
  ): { logits: tf.Tensor3D; state: StateTree } {
    checkIdsTensor(ids);
    const { training, seed, mask } = options;
    const [B, T] = ids.shape;
    return tidy(() => {
      // Without embedding dropout the first cell's input projection folds into the table: its rows,
      // gathered by id, are x · Wx + b ([B, T, gates * H]), which saves the [B*T, E] x [E, gates * H]
      // matmul and its two backward matmuls (cells' `projectTokens`; identical values and gradients).
      const fold = this.foldable && !(training && this.dropoutRate > 0);
      const x = fold
        ? projectTokens(this.stack.layers[0] as Cell, this.params.embedding.weight as tf.Tensor2D, ids)
        : (maybeDropout(
            embed(this.params.embedding, ids, { checkIds: false }), // [B, T, E]
            this.dropoutRate,
            training,
            seed === undefined ? undefined : deriveSeed(seed, 'embedding'),
          ) as tf.Tensor3D);
      const r = runStack(this.stack, x, state as readonly unknown[], {
        training,
        seed: seed === undefined ? undefined : deriveSeed(seed, 'rnn'),
        mask,
        projected: fold,
      });
      const h = maybeDropout(
        r.outputs,
        this.dropoutRate,
        training,
        seed === undefined ? undefined : deriveSeed(seed, 'output'),
      );
      const h2 = tf.reshape(h, [B * T, this.stack.outputSize]); // [B*T, H]
      const head = this.params.head;
      const flat =
        'kernel' in head
          ? linear(head, h2)
          : tf.add(tf.matMul(h2, this.params.embedding.weight, false, true), head.bias); // tied: h E^T + b
      return { logits: tf.reshape(flat, [B, T, this.vocabSize]) as tf.Tensor3D, state: r.state as StateTree };
    });
  }

  keepState(state: StateTree): StateTree {
    return recurrentStateOps.keepState(state);
  }

  disposeState(state: StateTree): void {
    recurrentStateOps.disposeState(state);
  }

  /**
   * Natural-log probability of `sequence` (of every symbol after the first, or of all given `bosId`).
   * Reads synchronously (cpu, wasm); on WebGPU use `logProbAsync`.
   */
  logProb(sequence: Sequence): number {
    return sequenceLogProbs(this, [sequence], this.config.bosId ?? null)[0]!;
  }

  /** `logProb` reading asynchronously (every backend, WebGPU included); the same value. */
  async logProbAsync(sequence: Sequence): Promise<number> {
    return (await sequenceLogProbsAsync(this, [sequence], this.config.bosId ?? null))[0]!;
  }

  /** exp(-total log-prob / predicted symbols), the same call as an n-gram model's. Reads synchronously. */
  perplexity(sequences: readonly Sequence[]): number {
    const bos = this.config.bosId ?? null;
    return this.perplexityOf(sequences, sequenceLogProbs(this, sequences, bos));
  }

  /** `perplexity` reading asynchronously (every backend, WebGPU included); the same value. */
  async perplexityAsync(sequences: readonly Sequence[]): Promise<number> {
    const bos = this.config.bosId ?? null;
    return this.perplexityOf(sequences, await sequenceLogProbsAsync(this, sequences, bos));
  }

  private perplexityOf(sequences: readonly Sequence[], logProbs: readonly number[]): number {
    const bos = this.config.bosId ?? null;
    const total = logProbs.reduce((a, b) => a + b, 0);
    const events = sequences.reduce((n, s) => n + Math.max(0, s.length - (bos === null ? 1 : 0)), 0);
    return perplexityFromLogProb(total, events);
  }

  /** `length` symbols drawn after the start token (`bosId`, else id 0), seeded. Reads synchronously. */
  sample(length: number, options: SampleOptions = {}): Int32Array {
    return sampleTokens(this, [this.config.bosId ?? 0], this.sampleOptions(length, options));
  }

  /** `sample` reading asynchronously (every backend, WebGPU included); the same symbols for a seed. */
  sampleAsync(length: number, options: SampleOptions = {}): Promise<Int32Array> {
    return sampleTokensAsync(this, [this.config.bosId ?? 0], this.sampleOptions(length, options));
  }

  private sampleOptions(length: number, options: SampleOptions) {
    return {
      maxTokens: nonNegativeInteger(length, 'length'),
      seed: options.seed ?? 0,
      temperature: options.temperature ?? 1,
    };
  }
}

/**
 * Builds a language model from its config.
 *
 * @example
 * const lm = languageModel({ kind: 'language-model', vocabSize: 65, units: 256, layers: 2, dropout: 0.1 });
 */
export function languageModel(
  config: Omit<LanguageModelConfig, 'kind'> & { kind?: 'language-model' },
): LanguageModel {
  return new LanguageModel({ ...config, kind: 'language-model' });
}
