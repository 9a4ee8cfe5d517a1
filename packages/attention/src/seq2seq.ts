/**
 * Recurrent encoder-decoder ("seq2seq"; Sutskever et al. 2014, Cho et al. 2014), in three variants:
 *   'none'      the bottleneck: the decoder starts from the encoder's final state and sees nothing else;
 *   'bahdanau'  Bahdanau et al. 2015: c_t = attend(s_{t-1}, H) (additive score);
 *               s_t = cell([emb(y_{t-1}); c_t], s_{t-1});  logits = W_o [s_t; c_t]
 *   'luong'     Luong et al. 2015 (global attention, input feeding):
 *               s_t = cell([emb(y_{t-1}); h̃_{t-1}], s_{t-1});  c_t = attend(s_t, H) (general or dot);
 *               h̃_t = tanh(W_c [c_t; s_t]);  logits = W_o h̃_t
 * The encoder is a GRU or LSTM, optionally bidirectional (then a tanh bridge maps [h_fwd; h_bwd]
 * to the decoder's initial state).
 */
import {
  ConfigError,
  deriveSeed,
  nonNegativeInteger,
  oneOf,
  positiveInteger,
  probability,
  Rng,
  rate,
  ShapeError,
} from '@strand/base';
import { bidirectional, gru, type HState, type LstmState, lstm, rnn } from '@strand/cells';
import { createParameter, initializers, type LinearParams, linear, type Params } from '@strand/core';
import type { ForwardOptions } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type {
  DecoderStep,
  EncodeOptions,
  EncoderDecoderModel,
  Seq2SeqOutput,
  TeacherForcingOptions,
} from './encoder-decoder.js';
import { drop, torchLinear } from './feed-forward.js';
import {
  type AdditiveScoreParams,
  additiveScore,
  dotScore,
  type GeneralScoreParams,
  generalScore,
  initAdditiveScore,
  initGeneralScore,
  projectKeys,
} from './scores.js';
import { tidy } from './tidy.js';

export type Seq2SeqAttention = 'none' | 'bahdanau' | 'luong';

export interface Seq2SeqConfig {
  readonly kind: 'seq2seq';
  readonly sourceVocabSize: number;
  readonly targetVocabSize: number;
  readonly embeddingDim: number;
  readonly units: number;
  /** Default 'gru'. */
  readonly cell?: 'gru' | 'lstm';
  /** Bidirectional encoder; default false. */
  readonly bidirectional?: boolean;
  readonly attention: Seq2SeqAttention;
  /** Luong's score: 'general' (default) or 'dot' (needs a unidirectional encoder). */
  readonly luongScore?: 'general' | 'dot';
  /** Bahdanau's hidden size; default units. */
  readonly attentionSize?: number;
  /** Dropout on embeddings and before the output layer; default 0. */
  readonly dropout?: number;
  readonly seed?: number;
}

export type Seq2SeqSpec = Required<Seq2SeqConfig>;

/** Decoder state: the cell's {h} or {h, c}, plus Luong's attentional vector h̃ (input feeding). */
export type Seq2SeqState = { readonly cell: HState | LstmState; readonly feed: tf.Tensor2D | null };

/** Encoder output: keys H [B, S, K], Bahdanau's W₂H [B, S, A], the source mask, the decoder's initial cell state. */
export type Seq2SeqMemory = {
  readonly keys: tf.Tensor3D;
  readonly projected: tf.Tensor3D | null;
  readonly mask: tf.Tensor2D | null;
  readonly init: HState | LstmState;
};

export function seq2seqConfig(c: Seq2SeqConfig): Seq2SeqSpec {
  const attention = oneOf(c.attention, ['none', 'bahdanau', 'luong'] as const, 'attention');
  const units = positiveInteger(c.units, 'units');
  const spec: Seq2SeqSpec = {
    kind: 'seq2seq',
    sourceVocabSize: positiveInteger(c.sourceVocabSize, 'sourceVocabSize'),
    targetVocabSize: positiveInteger(c.targetVocabSize, 'targetVocabSize'),
    embeddingDim: positiveInteger(c.embeddingDim, 'embeddingDim'),
    units,
    cell: oneOf(c.cell ?? 'gru', ['gru', 'lstm'] as const, 'cell'),
    bidirectional: c.bidirectional ?? false,
    attention,
    luongScore: oneOf(c.luongScore ?? 'general', ['general', 'dot'] as const, 'luongScore'),
    attentionSize: positiveInteger(c.attentionSize ?? units, 'attentionSize'),
    dropout: rate(c.dropout ?? 0, 'dropout'),
    seed: nonNegativeInteger(c.seed ?? 0, 'seed'),
  };
  if (attention === 'luong' && spec.luongScore === 'dot' && spec.bidirectional) {
    throw new ConfigError(
      `Luong's dot score needs encoder states of the decoder's size: expected ${units}, received ${2 * units} (bidirectional); use luongScore: 'general'`,
      'luongScore',
    );
  }
  return spec;
}

type Cell = ReturnType<typeof gru> | ReturnType<typeof lstm>;

/**
 * @example
 * const model = new Seq2Seq({ kind: 'seq2seq', sourceVocabSize: 100, targetVocabSize: 120, embeddingDim: 32, units: 64, attention: 'bahdanau' });
 * const { logits, attention } = model.forward(src, tgtIn, { training: true, seed: step }); // [B, T, 120], [B, T, S]
 */
export class Seq2Seq implements EncoderDecoderModel<Seq2SeqMemory, Seq2SeqState> {
  readonly config: Seq2SeqSpec;
  readonly params: Params;
  readonly sourceVocabSize: number;
  readonly targetVocabSize: number;
  readonly maxTargetLength = Number.POSITIVE_INFINITY;
  private readonly encoder: ReturnType<typeof bidirectional> | Cell;
  private readonly decoder: Cell;
  private readonly p: {
    readonly sourceEmbedding: tf.Variable;
    readonly targetEmbedding: tf.Variable;
    readonly bridge: { readonly h: LinearParams; readonly c: LinearParams | null } | null;
    readonly attention: AdditiveScoreParams | GeneralScoreParams | null;
    readonly combine: LinearParams | null;
    readonly output: LinearParams;
  };

  constructor(config: Seq2SeqConfig) {
    const c = seq2seqConfig(config);
    this.config = c;
    this.sourceVocabSize = c.sourceVocabSize;
    this.targetVocabSize = c.targetVocabSize;
    const seed = (name: string) => deriveSeed(c.seed, name);
    const cell = (inputSize: number, name: string): Cell =>
      c.cell === 'gru'
        ? gru({ inputSize, units: c.units, initScheme: 'pytorch', seed: seed(name) })
        : lstm({ inputSize, units: c.units, seed: seed(name) });
    this.encoder = c.bidirectional
      ? bidirectional(cell(c.embeddingDim, 'encoder.forward'), cell(c.embeddingDim, 'encoder.backward'))
      : cell(c.embeddingDim, 'encoder');
    const K = c.bidirectional ? 2 * c.units : c.units; // encoder state size
    const decoderInput =
      c.embeddingDim + (c.attention === 'bahdanau' ? K : c.attention === 'luong' ? c.units : 0);
    this.decoder = cell(decoderInput, 'decoder');
    const emb = (v: number, name: string) =>
      createParameter(initializers.uniform({ min: -0.1, max: 0.1 }), [v, c.embeddingDim], seed(name));
    this.p = {
      sourceEmbedding: emb(c.sourceVocabSize, 'sourceEmbedding'),
      targetEmbedding: emb(c.targetVocabSize, 'targetEmbedding'),
      bridge: c.bidirectional
        ? {
            h: torchLinear(K, c.units, seed('bridge.h')),
            c: c.cell === 'lstm' ? torchLinear(K, c.units, seed('bridge.c')) : null,
          }
        : null,
      attention:
        c.attention === 'bahdanau'
          ? initAdditiveScore({
              querySize: c.units,
              keySize: K,
              attentionSize: c.attentionSize,
              seed: seed('attention'),
            })
          : c.attention === 'luong' && c.luongScore === 'general'
            ? initGeneralScore({ querySize: c.units, keySize: K, seed: seed('attention') })
            : null,
      combine: c.attention === 'luong' ? torchLinear(K + c.units, c.units, seed('combine'), false) : null,
      output: torchLinear(
        c.attention === 'bahdanau' ? c.units + K : c.units,
        c.targetVocabSize,
        seed('output'),
      ),
    };
    this.params = { ...this.p, encoder: this.encoderParams(), decoder: this.decoder.params };
  }

  private encoderParams(): Params {
    const e = this.encoder;
    return e.kind === 'bidirectional' ? e.params : e.params;
  }

  /** @param source [B, S] int32 -> keys [B, S, K] and the decoder's initial state. */
  encode(source: tf.Tensor2D, { sourceMask, training, seed }: EncodeOptions): Seq2SeqMemory {
    if (source.rank !== 2) throw new ShapeError('source ids', [null, null], source.shape);
    if (sourceMask && (sourceMask.rank !== 2 || sourceMask.shape.some((d, i) => d !== source.shape[i]))) {
      throw new ShapeError('source mask', source.shape, sourceMask.shape);
    }
    const c = this.config;
    return tidy(() => {
      let x = tf.gather(this.p.sourceEmbedding, tf.cast(source, 'int32')) as tf.Tensor3D; // [B, S, E]
      if (training) x = drop(x, c.dropout, seed, 'source') as tf.Tensor3D;
      const mask = sourceMask ? (tf.cast(sourceMask, 'float32') as tf.Tensor2D) : null;
      const r = rnn(this.encoder, x, { returnState: true, ...(mask ? { mask } : {}) }) as {
        outputs: tf.Tensor3D;
        state: unknown;
      };
      let init: HState | LstmState;
      if (this.p.bridge) {
        const s = r.state as { forward: HState | LstmState; backward: HState | LstmState };
        const both = (k: 'h' | 'c') =>
          tf.concat([(s.forward as LstmState)[k], (s.backward as LstmState)[k]], 1);
        const h = tf.tanh(linear(this.p.bridge.h, both('h'))) as tf.Tensor2D;
        init = this.p.bridge.c ? { h, c: tf.tanh(linear(this.p.bridge.c, both('c'))) as tf.Tensor2D } : { h };
      } else init = r.state as HState | LstmState;
      const projected =
        c.attention === 'bahdanau' ? projectKeys(this.p.attention as AdditiveScoreParams, r.outputs) : null;
      return { keys: r.outputs, projected, mask, init };
    });
  }

  initialState(memory: Seq2SeqMemory): Seq2SeqState {
    const batch = memory.keys.shape[0];
    return tidy(() => ({
      cell: Object.fromEntries(Object.entries(memory.init).map(([k, t]) => [k, tf.clone(t)])) as
        | HState
        | LstmState,
      feed: this.config.attention === 'luong' ? (tf.zeros([batch, this.config.units]) as tf.Tensor2D) : null,
    }));
  }

  /** One decoding step. @param previous [B] int32 -> logits [B, V] and attention [B, S]. */
  step(
    previous: tf.Tensor1D,
    state: Seq2SeqState,
    memory: Seq2SeqMemory,
    options: ForwardOptions,
  ): DecoderStep<Seq2SeqState> {
    const c = this.config;
    const p = this.p;
    const training = options.training;
    return tidy(() => {
      let y = tf.gather(p.targetEmbedding, tf.cast(previous, 'int32')) as tf.Tensor2D; // [B, E]
      if (training) y = drop(y, c.dropout, options.seed, 'target') as tf.Tensor2D;
      const scoreOptions = memory.mask ? { mask: memory.mask } : {};
      if (c.attention === 'none') {
        const s = this.decoder.step(y, state.cell as never);
        return { logits: this.out(s.output, options), state: { cell: s.state, feed: null }, attention: null };
      }
      if (c.attention === 'bahdanau') {
        const a = additiveScore(p.attention as AdditiveScoreParams, state.cell.h, memory.keys, {
          ...scoreOptions,
          ...(memory.projected ? { projectedKeys: memory.projected } : {}),
        });
        const s = this.decoder.step(tf.concat([y, a.context], 1) as tf.Tensor2D, state.cell as never);
        const logits = this.out(tf.concat([s.output, a.context], 1) as tf.Tensor2D, options);
        return { logits, state: { cell: s.state, feed: null }, attention: a.weights };
      }
      const s = this.decoder.step(tf.concat([y, state.feed!], 1) as tf.Tensor2D, state.cell as never);
      const a =
        c.luongScore === 'dot'
          ? dotScore(s.output, memory.keys, scoreOptions)
          : generalScore(p.attention as GeneralScoreParams, s.output, memory.keys, scoreOptions);
      const feed = tf.tanh(linear(p.combine!, tf.concat([a.context, s.output], 1))) as tf.Tensor2D; // h̃_t [B, U]
      return { logits: this.out(feed, options), state: { cell: s.state, feed }, attention: a.weights };
    });
  }

  private out(h: tf.Tensor2D, { training, seed }: ForwardOptions): tf.Tensor2D {
    const x = training ? drop(h, this.config.dropout, seed, 'output') : h;
    return linear(this.p.output, x) as tf.Tensor2D;
  }

  /**
   * Encodes `source` and decodes `targetIn` ([B, T], starting with <bos>).
   * @returns logits [B, T, V] and the attention weights of every step [B, T, S] (null for 'none').
   */
  forward(source: tf.Tensor2D, targetIn: tf.Tensor2D, options: TeacherForcingOptions): Seq2SeqOutput {
    return runTeacherForced(this, source, targetIn, options);
  }
}

/**
 * The decoding loop shared by the encoder-decoder models: step t feeds targetIn[:, t] (teacher
 * forcing) or, with probability 1 - teacherForcing, the model's own argmax at step t - 1.
 */
export function runTeacherForced<M, S>(
  model: EncoderDecoderModel<M, S>,
  source: tf.Tensor2D,
  targetIn: tf.Tensor2D,
  options: TeacherForcingOptions,
): Seq2SeqOutput {
  const ratio = probability(options.teacherForcing ?? 1, 'teacherForcing');
  if (ratio < 1 && options.seed === undefined) {
    throw new ConfigError('teacherForcing below 1 draws which steps use the reference: pass a seed', 'seed');
  }
  if (targetIn.rank !== 2 || targetIn.shape[0] !== source.shape[0]) {
    throw new ShapeError('target ids', [source.shape[0], null], targetIn.shape);
  }
  const rng = new Rng(deriveSeed(options.seed ?? 0, 'teacherForcing'));
  const [batch, T] = targetIn.shape;
  return tidy(() => {
    const memory = model.encode(source, options);
    let state = model.initialState(memory);
    const logits: tf.Tensor2D[] = [];
    const weights: tf.Tensor2D[] = [];
    let prev = tf.reshape(tf.slice(targetIn, [0, 0], [batch, 1]), [batch]) as tf.Tensor1D;
    for (let t = 0; t < T; t++) {
      const seed = options.seed === undefined ? {} : { seed: deriveSeed(options.seed, 'step', t) };
      const r = model.step(prev, state, memory, { training: options.training, ...seed });
      logits.push(r.logits);
      if (r.attention) weights.push(r.attention);
      state = r.state;
      if (t + 1 < T) {
        const useReference = ratio === 1 || rng.next() < ratio;
        prev = useReference
          ? (tf.reshape(tf.slice(targetIn, [0, t + 1], [batch, 1]), [batch]) as tf.Tensor1D)
          : (tf.argMax(r.logits, 1) as tf.Tensor1D); // no gradient through the choice
      }
    }
    return {
      logits: tf.stack(logits, 1) as tf.Tensor3D,
      attention: weights.length ? (tf.stack(weights, 1) as tf.Tensor3D) : null,
    };
  });
}
