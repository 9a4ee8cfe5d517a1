/**
 * A BiLSTM tagger over word embeddings plus a character-level BiLSTM per word (Lample et al. 2016;
 * Plank et al. 2016): each word is its lower-cased embedding (rare words share <unk>) concatenated
 * with the final states of a BiLSTM over its characters (which sees case, digits and suffixes of
 * unseen words); a sentence-level BiLSTM (one or more layers, dropout between them) reads these,
 * and a linear layer gives the tag logits.
 * Plain data: a JSON config plus parameters; the vocabularies travel with the config.
 */
import { bidirectional, lstm, type Recurrent, rnn, stacked } from '@strand/cells';
import { deriveSeed, dropout, initLinear, type LinearParams, linear, namedParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TaggedSentence } from './tnt.js';

/** An embedding table [vocab, dim]; row 0 (padding) starts at zero. */
export interface EmbeddingParams {
  readonly weight: tf.Variable;
}

/**
 * U(-0.1, 0.1) rows. (N(0, 1) rows, which sped `strand names` up, made this tagger learn more
 * slowly: 89.5% on dev after 400 steps against 92.3%, with word dropout and the decay in both.)
 */
function initEmbedding(o: { vocabSize: number; dim: number; seed: number }): EmbeddingParams {
  const w = tf.tidy(() => {
    const u = tf.randomUniform([o.vocabSize, o.dim], -0.1, 0.1, 'float32', o.seed);
    return tf.concat([tf.zeros([1, o.dim]), tf.slice(u, [1, 0], [o.vocabSize - 1, o.dim])], 0);
  });
  const weight = tf.variable(w, true);
  w.dispose();
  return { weight };
}

const embed = (p: EmbeddingParams, ids: tf.Tensor): tf.Tensor => tf.gather(p.weight, ids);

export interface BiLstmConfig {
  readonly kind: 'bilstm-char-tagger';
  /** id -> lower-cased word; 0 <pad>, 1 <unk>. */
  readonly words: readonly string[];
  /** id -> character; 0 <pad>, 1 <unk>. */
  readonly chars: readonly string[];
  readonly tags: readonly string[];
  readonly wordDim: number;
  readonly charDim: number;
  readonly charUnits: number;
  readonly units: number;
  /** Sentence BiLSTM layers; absent (taggers saved before the option) means 1. */
  readonly layers?: number;
  readonly dropout: number;
  readonly seed: number;
}

export interface BiLstmTagger {
  readonly config: BiLstmConfig;
  readonly params: {
    readonly wordEmbedding: EmbeddingParams;
    readonly charEmbedding: EmbeddingParams;
    readonly charRnn: unknown;
    readonly rnn: unknown;
    readonly head: LinearParams;
  };
  readonly charLayer: ReturnType<typeof bidirectional>;
  /** The sentence BiLSTM: one bidirectional layer, or a stack of them. */
  readonly layer: Recurrent;
  readonly wordIndex: ReadonlyMap<string, number>;
  readonly charIndex: ReadonlyMap<string, number>;
  readonly tagIndex: ReadonlyMap<string, number>;
}

/** Longest character sequence read per word (longer words keep their first 12 and last 12 characters). */
const MAX_CHARS = 24;

export function bilstmVocabulary(
  train: readonly TaggedSentence[],
  minCount = 2,
): Pick<BiLstmConfig, 'words' | 'chars' | 'tags'> {
  const wc = new Map<string, number>();
  const chars = new Set<string>();
  const tags = new Set<string>();
  for (const s of train) {
    for (const w of s.words) {
      const l = w.toLowerCase();
      wc.set(l, (wc.get(l) ?? 0) + 1);
      for (const c of w) chars.add(c);
    }
    for (const t of s.tags) tags.add(t);
  }
  return {
    words: ['<pad>', '<unk>', ...[...wc].filter(([, c]) => c >= minCount).map(([w]) => w)],
    chars: ['<pad>', '<unk>', ...chars],
    tags: [...tags],
  };
}

export function createBiLstmTagger(config: BiLstmConfig): BiLstmTagger {
  const s = config.seed;
  const wordEmbedding = initEmbedding({
    vocabSize: config.words.length,
    dim: config.wordDim,
    seed: deriveSeed(s, 'words'),
  });
  const charEmbedding = initEmbedding({
    vocabSize: config.chars.length,
    dim: config.charDim,
    seed: deriveSeed(s, 'chars'),
  });
  const charLayer = bidirectional(
    lstm({ inputSize: config.charDim, units: config.charUnits, seed: deriveSeed(s, 'char', 'f') }),
    lstm({ inputSize: config.charDim, units: config.charUnits, seed: deriveSeed(s, 'char', 'b') }),
  );
  // Layer 0 keeps the seeds of the one-layer tagger, so that --layers 1 is the same model as before.
  const sentenceLayer = (i: number) => {
    const inputSize = i === 0 ? config.wordDim + 2 * config.charUnits : 2 * config.units;
    const name = i === 0 ? 'rnn' : `rnn.${i}`;
    return bidirectional(
      lstm({ inputSize, units: config.units, seed: deriveSeed(s, name, 'f') }),
      lstm({ inputSize, units: config.units, seed: deriveSeed(s, name, 'b') }),
    );
  };
  const layers = config.layers ?? 1;
  const layer: Recurrent =
    layers === 1
      ? sentenceLayer(0)
      : stacked(
          Array.from({ length: layers }, (_, i) => sentenceLayer(i)),
          { dropout: config.dropout },
        );
  const head = initLinear({
    inputSize: 2 * config.units,
    outputSize: config.tags.length,
    seed: deriveSeed(s, 'head'),
  });
  return {
    config,
    params: { wordEmbedding, charEmbedding, charRnn: charLayer.params, rnn: layer.params, head },
    charLayer,
    layer,
    wordIndex: new Map(config.words.map((w, i) => [w, i])),
    charIndex: new Map(config.chars.map((c, i) => [c, i])),
    tagIndex: new Map(config.tags.map((t, i) => [t, i])),
  };
}

export interface TagBatch {
  /** [B, T] word ids (0 = padding). */
  readonly wordIds: tf.Tensor2D;
  /** [B, T] 1 for a word, 0 for padding. */
  readonly mask: tf.Tensor2D;
  /** [U, L] character ids of the batch's distinct word forms. */
  readonly charIds: tf.Tensor2D;
  /** Index of each distinct form's last character, and of its first, in the flattened [U * L]. */
  readonly lastIndex: tf.Tensor1D;
  readonly firstIndex: tf.Tensor1D;
  /** [B * T] the distinct form of each position (0 for padding: any row, masked). */
  readonly formOf: tf.Tensor1D;
  /** [B, T] gold tag ids (0 at padding), when tags are known. */
  readonly tags?: tf.Tensor2D;
  readonly tokens: number;
}

function clipChars(w: string): string[] {
  const c = [...w];
  return c.length <= MAX_CHARS ? c : [...c.slice(0, MAX_CHARS / 2), ...c.slice(-MAX_CHARS / 2)];
}

/**
 * `dropWord(lowerCasedWord)`: when it returns true the word's embedding is replaced by <unk>'s (word
 * dropout when training; its characters are still read).
 */
export function tagBatch(
  model: BiLstmTagger,
  sentences: readonly { readonly words: readonly string[]; readonly tags?: readonly string[] }[],
  dropWord?: (word: string) => boolean,
): TagBatch {
  const B = sentences.length;
  const T = Math.max(...sentences.map((s) => s.words.length));
  const ids = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  const tags = new Int32Array(B * T);
  const forms = new Map<string, number>();
  const formOf = new Int32Array(B * T);
  let tokens = 0;
  sentences.forEach((s, b) => {
    s.words.forEach((w, t) => {
      const lower = w.toLowerCase();
      ids[b * T + t] = dropWord?.(lower) ? 1 : (model.wordIndex.get(lower) ?? 1);
      mask[b * T + t] = 1;
      if (s.tags) tags[b * T + t] = model.tagIndex.get(s.tags[t]!) ?? 0;
      let f = forms.get(w);
      if (f === undefined) {
        f = forms.size;
        forms.set(w, f);
      }
      formOf[b * T + t] = f;
      tokens++;
    });
  });
  const U = forms.size;
  const L = Math.max(...[...forms.keys()].map((w) => clipChars(w).length));
  const chars = new Int32Array(U * L);
  const last = new Int32Array(U);
  const first = new Int32Array(U);
  for (const [w, u] of forms) {
    const c = clipChars(w);
    c.forEach((ch, i) => {
      chars[u * L + i] = model.charIndex.get(ch) ?? 1;
    });
    last[u] = u * L + c.length - 1;
    first[u] = u * L;
  }
  return {
    wordIds: tf.tensor2d(ids, [B, T], 'int32'),
    mask: tf.tensor2d(mask, [B, T]),
    charIds: tf.tensor2d(chars, [U, L], 'int32'),
    lastIndex: tf.tensor1d(last, 'int32'),
    firstIndex: tf.tensor1d(first, 'int32'),
    formOf: tf.tensor1d(formOf, 'int32'),
    ...(sentences.every((s) => s.tags) ? { tags: tf.tensor2d(tags, [B, T], 'int32') } : {}),
    tokens,
  };
}

export function disposeTagBatch(b: TagBatch): void {
  tf.dispose([
    b.wordIds,
    b.mask,
    b.charIds,
    b.lastIndex,
    b.firstIndex,
    b.formOf,
    ...(b.tags ? [b.tags] : []),
  ]);
}

/** Tag logits [B, T, numTags]. Differentiable; dropout only when `training`. */
export function bilstmLogits(model: BiLstmTagger, b: TagBatch, training: boolean, seed = 0): tf.Tensor3D {
  return tf.tidy(() => {
    const c = model.config;
    const [U, L] = b.charIds.shape;
    const charMask = tf.cast(tf.notEqual(b.charIds, 0), 'float32') as tf.Tensor2D;
    const ce = embed(model.params.charEmbedding, b.charIds) as tf.Tensor3D; // [U, L, charDim]
    const { outputs } = rnn(model.charLayer, ce, { mask: charMask });
    const flat = tf.reshape(outputs, [U * L, 2 * c.charUnits]);
    const fwd = tf.slice(tf.gather(flat, b.lastIndex), [0, 0], [U, c.charUnits]);
    const bwd = tf.slice(tf.gather(flat, b.firstIndex), [0, c.charUnits], [U, c.charUnits]);
    const perForm = tf.concat([fwd, bwd], 1); // [U, 2 charUnits]
    const [B, T] = b.wordIds.shape;
    const charFeatures = tf.reshape(tf.gather(perForm, b.formOf), [B, T, 2 * c.charUnits]);
    const we = embed(model.params.wordEmbedding, b.wordIds) as tf.Tensor3D;
    let x: tf.Tensor = tf.concat([we, charFeatures], 2);
    if (training && c.dropout > 0)
      x = dropout(x, { rate: c.dropout, training, seed: deriveSeed(seed, 'in') });
    const h = rnn(model.layer, x as tf.Tensor3D, {
      mask: b.mask,
      training,
      seed: deriveSeed(seed, 'rnn'),
    }).outputs as tf.Tensor3D;
    let y: tf.Tensor = h;
    if (training && c.dropout > 0)
      y = dropout(y, { rate: c.dropout, training, seed: deriveSeed(seed, 'out') });
    return linear(model.params.head, y as tf.Tensor3D) as tf.Tensor3D;
  });
}

/** The predicted tags of each sentence (batched by length, returned in the input order). */
export async function bilstmTag(
  model: BiLstmTagger,
  sentences: readonly { readonly words: readonly string[] }[],
  batch = 64,
): Promise<string[][]> {
  const out: string[][] = new Array(sentences.length);
  const order = [...sentences.keys()].sort((a, b) => sentences[a]!.words.length - sentences[b]!.words.length);
  for (let i = 0; i < order.length; i += batch) {
    const group = order.slice(i, i + batch);
    const b = tagBatch(
      model,
      group.map((k) => ({ words: sentences[k]!.words })),
    );
    const best = tf.tidy(() => tf.argMax(bilstmLogits(model, b, false), 2));
    const v = await best.data();
    const T = b.wordIds.shape[1];
    best.dispose();
    disposeTagBatch(b);
    group.forEach((k, n) => {
      out[k] = sentences[k]!.words.map((_, t) => model.config.tags[v[n * T + t]!]!);
    });
  }
  return out;
}

export function bilstmVariables(model: BiLstmTagger): Map<string, tf.Variable> {
  return namedParameters(model.params as never);
}
