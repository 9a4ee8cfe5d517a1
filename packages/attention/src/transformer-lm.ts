/**
 * A decoder-only transformer language model (GPT: Radford et al. 2018/2019; nanoGPT's layout):
 *   x = embed(ids) + positions                           [B, T, C]
 *   x = block_i(x), i = 1..N     (pre-norm: x + SA(LN(x)), then x + FF(LN(x)); causal)
 *   logits = LN(x) · Eᵀ          (output projection tied to the embedding, Press & Wolf 2017)
 * State for incremental decoding = one key/value cache per block plus the position.
 */
import {
  BOS_ID,
  ConfigError,
  deriveSeed,
  IdOutOfRangeError,
  nonNegativeInteger,
  oneOf,
  perplexityFromLogProb,
  positiveInteger,
  positiveNumber,
  Rng,
  rate,
  type SampleOptions,
  type Sequence,
  type SequenceModel,
  ShapeError,
} from '@strand/base';
import {
  createParameter,
  initializers,
  initLayerNorm,
  type LayerNormParams,
  type LinearParams,
} from '@strand/core';
import type { AutoregressiveModel, ForwardOptions } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import {
  type EncoderLayerParams,
  encoderLayer,
  initEncoderLayer,
  type TransformerLayerSpec,
  transformerLayerSpec,
} from './encoder-layer.js';
import { type Activation, drop, torchLinear } from './feed-forward.js';
import { gatherRows, layerNormFused, linearFused } from './fused.js';
import type { KvCache } from './multi-head.js';
import {
  initLearnedPositions,
  type LearnedPositionsParams,
  learnedPositions,
  type RopeStyle,
  sinusoidalEncoding,
} from './positional.js';
import { tidy } from './tidy.js';

export type PositionKind = 'learned' | 'sinusoidal' | 'rope';

export interface TransformerLmConfig {
  readonly kind: 'transformer';
  readonly vocabSize: number;
  /** Longest window (the learned position table's size). */
  readonly contextLength: number;
  readonly dModel: number;
  readonly numHeads: number;
  readonly numLayers: number;
  /** Default 4 · dModel. */
  readonly dimFeedforward?: number;
  /** Default 0. */
  readonly dropout?: number;
  /** Default 'gelu'. */
  readonly activation?: Activation;
  /** Default 'learned'. */
  readonly positions?: PositionKind;
  /** RoPE pairing (positions: 'rope'); default 'half' (GPT-NeoX/LLaMA). */
  readonly ropeStyle?: RopeStyle;
  /** Share the embedding with the output projection; default true. */
  readonly tieWeights?: boolean;
  /** The start token logProb and sample condition on; default BOS_ID (2). */
  readonly bosId?: number;
  /** Seed of the initial weights; default 0. */
  readonly seed?: number;
}

/** The config with every default filled in (a `type`, so it is a ModelConfig: JSON with `kind`). */
export type TransformerLmSpec = {
  readonly kind: 'transformer';
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly dModel: number;
  readonly numHeads: number;
  readonly numLayers: number;
  readonly dimFeedforward: number;
  readonly dropout: number;
  readonly activation: Activation;
  readonly positions: PositionKind;
  readonly ropeStyle: RopeStyle;
  readonly tieWeights: boolean;
  readonly bosId: number;
  readonly seed: number;
};

export type TransformerLmParams = {
  /** [vocabSize, dModel] */
  readonly embedding: tf.Variable;
  readonly positions: LearnedPositionsParams | null;
  readonly blocks: readonly EncoderLayerParams[];
  readonly finalNorm: LayerNormParams;
  /** [dModel, vocabSize] output projection, null when tied. */
  readonly head: LinearParams | null;
};

export interface TransformerLmState {
  /** Tokens seen so far (the next token's position). */
  readonly position: number;
  /** One cache per block: keys/values [batch, heads, position, headDim]. */
  readonly caches: readonly KvCache[];
  /** [batch, position] 1 = real token, when any forward had a mask; else null. */
  readonly keyMask: tf.Tensor2D | null;
}

/** Checks the config once, before any tensor is made. */
export function transformerLmConfig(c: TransformerLmConfig): TransformerLmSpec {
  const dModel = positiveInteger(c.dModel, 'dModel');
  const numHeads = positiveInteger(c.numHeads, 'numHeads');
  if (dModel % numHeads !== 0) {
    throw new ConfigError(
      `dModel must be divisible by numHeads: expected a multiple of ${numHeads}, received ${dModel}`,
      'dModel',
    );
  }
  const positions = oneOf(c.positions ?? 'learned', ['learned', 'sinusoidal', 'rope'] as const, 'positions');
  if (positions === 'rope' && (dModel / numHeads) % 2 !== 0) {
    throw new ConfigError(
      `rotary positions need an even head size, received dModel / numHeads = ${dModel / numHeads}`,
      'positions',
    );
  }
  const vocabSize = positiveInteger(c.vocabSize, 'vocabSize');
  const bosId = nonNegativeInteger(c.bosId ?? BOS_ID, 'bosId');
  if (bosId >= vocabSize)
    throw new ConfigError(`bosId must be below vocabSize (${vocabSize}), received ${bosId}`, 'bosId');
  return {
    kind: 'transformer',
    vocabSize,
    contextLength: positiveInteger(c.contextLength, 'contextLength'),
    dModel,
    numHeads,
    numLayers: positiveInteger(c.numLayers, 'numLayers'),
    dimFeedforward: positiveInteger(c.dimFeedforward ?? 4 * dModel, 'dimFeedforward'),
    dropout: rate(c.dropout ?? 0, 'dropout'),
    activation: oneOf(c.activation ?? 'gelu', ['relu', 'gelu'] as const, 'activation'),
    positions,
    ropeStyle: oneOf(c.ropeStyle ?? 'half', ['half', 'interleaved'] as const, 'ropeStyle'),
    tieWeights: c.tieWeights ?? true,
    bosId,
    seed: c.seed ?? 0,
  };
}

/**
 * The model: config and weights (plain data) plus the functions over them.
 *
 * @example
 * const lm = new TransformerLm({ kind: 'transformer', vocabSize: 65, contextLength: 128, dModel: 128, numHeads: 4, numLayers: 4 });
 * const { logits } = lm.forward(ids, lm.initialState(16), { training: false }); // [16, T, 65]
 */
export class TransformerLm implements AutoregressiveModel<TransformerLmState>, SequenceModel {
  readonly training = 'window' as const;
  readonly config: TransformerLmSpec;
  readonly params: TransformerLmParams;
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly layerSpec: TransformerLayerSpec;

  constructor(config: TransformerLmConfig) {
    const c = transformerLmConfig(config);
    this.config = c;
    this.vocabSize = c.vocabSize;
    this.contextLength = c.contextLength;
    const seed = c.seed;
    this.layerSpec = transformerLayerSpec({ ...c, normFirst: true });
    const layers = Array.from({ length: c.numLayers }, (_, i) =>
      initEncoderLayer({ ...c, normFirst: true, seed: deriveSeed(seed, 'blocks', i) }),
    );
    this.params = {
      embedding: createParameter(
        initializers.normal({ stddev: 0.02 }),
        [c.vocabSize, c.dModel],
        deriveSeed(seed, 'embedding'),
      ),
      positions:
        c.positions === 'learned'
          ? initLearnedPositions({
              maxLength: c.contextLength,
              dim: c.dModel,
              seed: deriveSeed(seed, 'positions'),
            })
          : null,
      blocks: layers.map((l) => l.params),
      finalNorm: initLayerNorm({ size: c.dModel }),
      head: c.tieWeights ? null : torchLinear(c.dModel, c.vocabSize, deriveSeed(seed, 'head'), false),
    };
  }

  initialState(batch: number): TransformerLmState {
    positiveInteger(batch, 'batch');
    const { numHeads, dModel } = this.config;
    const empty = () => tf.zeros([batch, numHeads, 0, dModel / numHeads]) as tf.Tensor4D;
    return {
      position: 0,
      caches: this.params.blocks.map(() => ({ key: empty(), value: empty() })),
      keyMask: null,
    };
  }

  /**
   * Runs `ids` on from `state` (its caches hold the keys/values of every earlier token).
   * @param ids [batch, T] int32
   * @returns logits [batch, T, vocabSize] and the state after the last token.
   * Ids are not range-checked here (that needs a device read every call); `logProb`, `sample` and
   * the trainer's decoders check them.
   * @throws InputError past the learned position table; ShapeError for ids of the wrong rank or batch.
   */
  forward(
    ids: tf.Tensor2D,
    state: TransformerLmState,
    options: ForwardOptions,
  ): { logits: tf.Tensor3D; state: TransformerLmState } {
    const c = this.config;
    if (ids.rank !== 2) throw new ShapeError('ids', [null, null], ids.shape);
    const [batch, T] = ids.shape;
    const cached = state.caches[0]?.key.shape[0];
    if (cached !== undefined && cached !== batch)
      throw new ShapeError('ids (batch of the state)', [cached, null], ids.shape);
    const p = this.params;
    const training = options.training;
    const rate = training ? c.dropout : 0;
    const seed = options.seed;
    return tidy(() => {
      let x = gatherRows(p.embedding as tf.Tensor2D, tf.cast(ids, 'int32')) as tf.Tensor3D; // [B, T, C]
      if (p.positions) x = tf.add(x, learnedPositions(p.positions, T, state.position));
      else if (c.positions === 'sinusoidal') x = tf.add(x, sinusoidalEncoding(T, c.dModel, state.position));
      x = drop(x, rate, seed, 'embedding') as tf.Tensor3D;
      let keyMask: tf.Tensor2D | null = state.keyMask;
      if (options.mask || keyMask) {
        const past = keyMask ?? tf.ones([batch, state.position]);
        const now = options.mask ? tf.cast(options.mask, 'float32') : tf.ones([batch, T]);
        keyMask = tf.concat([past, now], 1) as tf.Tensor2D; // [B, position + T]
      }
      const caches: KvCache[] = [];
      p.blocks.forEach((block, i) => {
        const r = encoderLayer({ spec: this.layerSpec, params: block }, x, {
          causal: true,
          cache: state.caches[i]!,
          training,
          ...(keyMask ? { keyPaddingMask: keyMask } : {}),
          ...(c.positions === 'rope' ? { rope: { style: c.ropeStyle } } : {}),
          ...(seed === undefined ? {} : { seed: deriveSeed(seed, 'block', i) }),
        });
        x = r.output;
        caches.push(r.cache!);
      });
      const h = layerNormFused(p.finalNorm, x, 1e-5) as tf.Tensor3D; // [B, T, C]
      const logits = (
        p.head
          ? linearFused(p.head, h)
          : tf.reshape(tf.matMul(tf.reshape(h, [batch * T, c.dModel]), p.embedding, false, true), [
              batch,
              T,
              c.vocabSize,
            ])
      ) as tf.Tensor3D; // [B, T, V]
      return { logits, state: { position: state.position + T, caches, keyMask } };
    });
  }

  keepState(state: TransformerLmState): TransformerLmState {
    const keep = <T extends tf.Tensor>(t: T) => tf.keep(t.clone()) as T;
    return {
      position: state.position,
      caches: state.caches.map((c) => ({ key: keep(c.key), value: keep(c.value) })),
      keyMask: state.keyMask ? keep(state.keyMask) : null,
    };
  }

  disposeState(state: TransformerLmState): void {
    for (const c of state.caches) tf.dispose([c.key, c.value]);
    if (state.keyMask) state.keyMask.dispose();
  }

  /** log p(sequence | <bos>); windows of contextLength tokens, each starting from a fresh context. */
  logProb(sequence: Sequence): number {
    this.checkIds(sequence);
    const full = [this.config.bosId, ...Array.from(sequence)];
    let total = 0;
    for (let t0 = 0; t0 + 1 < full.length; t0 += this.contextLength) {
      const x = full.slice(t0, Math.min(t0 + this.contextLength, full.length - 1));
      const y = full.slice(t0 + 1, t0 + 1 + x.length);
      total += tidy(() => {
        const state = this.initialState(1);
        const { logits } = this.forward(tf.tensor2d([x], [1, x.length], 'int32'), state, { training: false });
        const logp = tf.logSoftmax(tf.reshape(logits, [x.length, this.vocabSize]));
        const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(y, 'int32'), this.vocabSize)));
        return picked.dataSync()[0]!;
      });
    }
    return total;
  }

  /** Per-symbol perplexity: exp(-Σ logProb / Σ length). */
  perplexity(sequences: readonly Sequence[]): number {
    let total = 0;
    let events = 0;
    for (const s of sequences) {
      total += this.logProb(s);
      events += s.length;
    }
    return perplexityFromLogProb(total, events);
  }

  /** Ancestral sampling from <bos>, one token at a time through the cache; the context slides past contextLength. */
  sample(length: number, { seed = 0, temperature = 1 }: SampleOptions = {}): Int32Array {
    nonNegativeInteger(length, 'length');
    positiveNumber(temperature, 'temperature');
    const rng = new Rng(seed);
    const out = new Int32Array(length);
    const history = [this.config.bosId];
    let state = this.initialState(1);
    let feed = [this.config.bosId];
    for (let i = 0; i < length; i++) {
      if (state.position + feed.length > this.contextLength) {
        // Slide: restart from the last half window of tokens.
        this.disposeState(state);
        state = this.initialState(1);
        feed = history.slice(-Math.max(1, Math.floor(this.contextLength / 2)));
      }
      const { probs, next } = tidy(() => {
        const r = this.forward(tf.tensor2d([feed], [1, feed.length], 'int32'), state, { training: false });
        const last = tf.slice(r.logits, [0, feed.length - 1, 0], [1, 1, this.vocabSize]);
        return {
          probs: tf.softmax(tf.div(tf.reshape(last, [this.vocabSize]), temperature)),
          next: this.keepState(r.state),
        };
      });
      this.disposeState(state);
      state = next;
      const token = rng.categorical(probs.dataSync());
      probs.dispose();
      out[i] = token;
      history.push(token);
      feed = [token];
    }
    this.disposeState(state);
    return out;
  }

  private checkIds(sequence: Sequence): void {
    for (let i = 0; i < sequence.length; i++) {
      const id = sequence[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
        throw new IdOutOfRangeError(id, i, this.vocabSize, 'token id');
    }
  }
}
