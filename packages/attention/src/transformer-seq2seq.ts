/**
 * The transformer encoder-decoder of "Attention Is All You Need" (Vaswani et al. 2017), on the same
 * EncoderDecoderModel interface as the recurrent Seq2Seq:
 *   memory = Encoder(emb(src) · √d + PE)                              [B, S, C]
 *   logits = Decoder(emb(tgt) · √d + PE, memory) · Eᵀ                 [B, T, V] (tied target embedding)
 * Decoding one token at a time uses a self-attention KV cache per layer and the memory's keys and
 * values projected once per layer.
 */
import {
  ConfigError,
  deriveSeed,
  nonNegativeInteger,
  oneOf,
  positiveInteger,
  rate,
  ShapeError,
} from '@strand/base';
import { createParameter, initializers, initLayerNorm, type LayerNormParams, layerNorm } from '@strand/core';
import type { ForwardOptions } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { type DecoderLayerParams, decoderLayer, initDecoderLayer } from './decoder-layer.js';
import type {
  DecoderStep,
  EncodeOptions,
  EncoderDecoderModel,
  Seq2SeqOutput,
  TeacherForcingOptions,
} from './encoder-decoder.js';
import {
  attentionOf,
  type EncoderLayerParams,
  encoderLayer,
  initEncoderLayer,
  type TransformerLayerSpec,
  transformerLayerSpec,
} from './encoder-layer.js';
import type { Activation } from './feed-forward.js';
import { drop } from './feed-forward.js';
import { type KvCache, projectKeyValue } from './multi-head.js';
import { sinusoidalEncoding } from './positional.js';
import { runTeacherForced } from './seq2seq.js';
import { tidy } from './tidy.js';

export interface TransformerSeq2SeqConfig {
  readonly kind: 'transformer-seq2seq';
  readonly sourceVocabSize: number;
  readonly targetVocabSize: number;
  readonly dModel: number;
  readonly numHeads: number;
  readonly numEncoderLayers: number;
  readonly numDecoderLayers: number;
  /** Default 4 · dModel. */
  readonly dimFeedforward?: number;
  /** Default 0. */
  readonly dropout?: number;
  /** Default 'relu' (the paper). */
  readonly activation?: Activation;
  /** Pre-norm (with a final norm on both stacks); default false (the paper's post-norm). */
  readonly normFirst?: boolean;
  readonly seed?: number;
}

export type TransformerSeq2SeqSpec = Required<TransformerSeq2SeqConfig>;

export type TransformerSeq2SeqParams = {
  readonly sourceEmbedding: tf.Variable;
  /** Also the output projection (tied). */
  readonly targetEmbedding: tf.Variable;
  readonly encoder: readonly EncoderLayerParams[];
  readonly decoder: readonly DecoderLayerParams[];
  readonly encoderNorm: LayerNormParams | null;
  readonly decoderNorm: LayerNormParams | null;
};

export type TransformerSeq2SeqMemory = {
  /** [B, S, C] */
  readonly memory: tf.Tensor3D;
  readonly mask: tf.Tensor2D | null;
  /** Per decoder layer: the memory projected by its cross-attention. */
  readonly kv: readonly KvCache[];
};

/** One self-attention cache per decoder layer; its length is the next token's position. */
export type TransformerSeq2SeqState = { readonly caches: readonly KvCache[] };

export class TransformerSeq2Seq
  implements EncoderDecoderModel<TransformerSeq2SeqMemory, TransformerSeq2SeqState>
{
  readonly config: TransformerSeq2SeqSpec;
  readonly params: TransformerSeq2SeqParams;
  readonly sourceVocabSize: number;
  readonly targetVocabSize: number;
  readonly maxTargetLength = Number.POSITIVE_INFINITY;
  readonly layerSpec: TransformerLayerSpec;

  constructor(config: TransformerSeq2SeqConfig) {
    const dModel = positiveInteger(config.dModel, 'dModel');
    const c: TransformerSeq2SeqSpec = {
      kind: 'transformer-seq2seq',
      sourceVocabSize: positiveInteger(config.sourceVocabSize, 'sourceVocabSize'),
      targetVocabSize: positiveInteger(config.targetVocabSize, 'targetVocabSize'),
      dModel,
      numHeads: positiveInteger(config.numHeads, 'numHeads'),
      numEncoderLayers: positiveInteger(config.numEncoderLayers, 'numEncoderLayers'),
      numDecoderLayers: positiveInteger(config.numDecoderLayers, 'numDecoderLayers'),
      dimFeedforward: positiveInteger(config.dimFeedforward ?? 4 * dModel, 'dimFeedforward'),
      dropout: rate(config.dropout ?? 0, 'dropout'),
      activation: oneOf(config.activation ?? 'relu', ['relu', 'gelu'] as const, 'activation'),
      normFirst: config.normFirst ?? false,
      seed: nonNegativeInteger(config.seed ?? 0, 'seed'),
    };
    if (dModel % c.numHeads !== 0) {
      throw new ConfigError(
        `dModel must be divisible by numHeads: expected a multiple of ${c.numHeads}, received ${dModel}`,
        'dModel',
      );
    }
    this.config = c;
    this.sourceVocabSize = c.sourceVocabSize;
    this.targetVocabSize = c.targetVocabSize;
    this.layerSpec = transformerLayerSpec(c);
    const emb = (v: number, name: string) =>
      createParameter(initializers.normal({ stddev: dModel ** -0.5 }), [v, dModel], deriveSeed(c.seed, name));
    this.params = {
      sourceEmbedding: emb(c.sourceVocabSize, 'sourceEmbedding'),
      targetEmbedding: emb(c.targetVocabSize, 'targetEmbedding'),
      encoder: Array.from(
        { length: c.numEncoderLayers },
        (_, i) => initEncoderLayer({ ...c, seed: deriveSeed(c.seed, 'encoder', i) }).params,
      ),
      decoder: Array.from(
        { length: c.numDecoderLayers },
        (_, i) => initDecoderLayer({ ...c, seed: deriveSeed(c.seed, 'decoder', i) }).params,
      ),
      encoderNorm: c.normFirst ? initLayerNorm({ size: dModel }) : null,
      decoderNorm: c.normFirst ? initLayerNorm({ size: dModel }) : null,
    };
  }

  /** emb(ids) · √d + PE(positions offset..): [B, T] -> [B, T, C] */
  private embed(
    table: tf.Variable,
    ids: tf.Tensor2D,
    offset: number,
    o: { training: boolean; seed?: number | undefined },
    site: string,
  ): tf.Tensor3D {
    const [, T] = ids.shape;
    const x = tf.add(
      tf.mul(tf.gather(table, tf.cast(ids, 'int32')), Math.sqrt(this.config.dModel)),
      sinusoidalEncoding(T, this.config.dModel, offset),
    );
    return (o.training ? drop(x, this.config.dropout, o.seed, site) : x) as tf.Tensor3D;
  }

  encode(source: tf.Tensor2D, o: EncodeOptions): TransformerSeq2SeqMemory {
    if (source.rank !== 2) throw new ShapeError('source ids', [null, null], source.shape);
    if (
      o.sourceMask &&
      (o.sourceMask.rank !== 2 || o.sourceMask.shape.some((d, i) => d !== source.shape[i]))
    ) {
      throw new ShapeError('source mask', source.shape, o.sourceMask.shape);
    }
    const p = this.params;
    return tidy(() => {
      let x = this.embed(p.sourceEmbedding, source, 0, o, 'source');
      const mask = o.sourceMask ? (tf.cast(o.sourceMask, 'float32') as tf.Tensor2D) : null;
      p.encoder.forEach((params, i) => {
        x = encoderLayer({ spec: this.layerSpec, params }, x, {
          training: o.training,
          ...(mask ? { keyPaddingMask: mask } : {}),
          ...(o.seed === undefined ? {} : { seed: deriveSeed(o.seed, 'encoder', i) }),
        }).output;
      });
      const memory = (p.encoderNorm ? layerNorm(p.encoderNorm, x) : x) as tf.Tensor3D;
      const kv = p.decoder.map((d) =>
        projectKeyValue(attentionOf(this.layerSpec, d.crossAttn), memory, memory),
      );
      return { memory, mask, kv };
    });
  }

  initialState(memory: TransformerSeq2SeqMemory): TransformerSeq2SeqState {
    const [batch] = memory.memory.shape;
    const { numHeads, dModel } = this.config;
    const empty = () => tf.zeros([batch, numHeads, 0, dModel / numHeads]) as tf.Tensor4D;
    return { caches: this.params.decoder.map(() => ({ key: empty(), value: empty() })) };
  }

  /** Runs target tokens [B, T] through the decoder from `caches` (T = 1 when decoding). */
  private decode(
    ids: tf.Tensor2D,
    offset: number,
    caches: readonly KvCache[] | null,
    memory: TransformerSeq2SeqMemory,
    o: ForwardOptions,
  ) {
    const p = this.params;
    let x = this.embed(p.targetEmbedding, ids, offset, o, 'target');
    const next: KvCache[] = [];
    let cross: tf.Tensor4D | null = null;
    p.decoder.forEach((params, i) => {
      const r = decoderLayer({ spec: this.layerSpec, params }, x, memory.memory, {
        causal: true,
        training: o.training,
        memoryKv: memory.kv[i]!,
        ...(caches ? { cache: caches[i]! } : {}),
        ...(memory.mask ? { memoryKeyPaddingMask: memory.mask } : {}),
        ...(o.seed === undefined ? {} : { seed: deriveSeed(o.seed, 'decoder', i) }),
      });
      x = r.output;
      cross = r.crossWeights;
      if (r.cache) next.push(r.cache);
    });
    const h = (p.decoderNorm ? layerNorm(p.decoderNorm, x) : x) as tf.Tensor3D;
    const [b, t] = ids.shape;
    const logits = tf.reshape(
      tf.matMul(tf.reshape(h, [b * t, this.config.dModel]), p.targetEmbedding, false, true),
      [b, t, this.targetVocabSize],
    );
    const attention = tf.mean(cross!, 1) as tf.Tensor3D; // last layer, averaged over heads: [B, T, S]
    return { logits: logits as tf.Tensor3D, caches: next, attention };
  }

  step(
    previous: tf.Tensor1D,
    state: TransformerSeq2SeqState,
    memory: TransformerSeq2SeqMemory,
    options: ForwardOptions,
  ): DecoderStep<TransformerSeq2SeqState> {
    const [batch] = previous.shape;
    const offset = state.caches[0]?.key.shape[2] ?? 0;
    return tidy(() => {
      const r = this.decode(
        tf.reshape(previous, [batch, 1]) as tf.Tensor2D,
        offset,
        state.caches,
        memory,
        options,
      );
      return {
        logits: tf.reshape(r.logits, [batch, this.targetVocabSize]) as tf.Tensor2D,
        state: { caches: r.caches },
        attention: tf.reshape(r.attention, [batch, -1]) as tf.Tensor2D,
      };
    });
  }

  /** Full teacher forcing runs all target positions in one causal pass; a ratio below 1 decodes step by step. */
  forward(source: tf.Tensor2D, targetIn: tf.Tensor2D, options: TeacherForcingOptions): Seq2SeqOutput {
    if ((options.teacherForcing ?? 1) < 1) return runTeacherForced(this, source, targetIn, options);
    if (targetIn.rank !== 2 || targetIn.shape[0] !== source.shape[0])
      throw new ShapeError('target ids', [source.shape[0], null], targetIn.shape);
    return tidy(() => {
      const memory = this.encode(source, options);
      const r = this.decode(targetIn, 0, null, memory, options);
      return { logits: r.logits, attention: r.attention };
    });
  }
}
