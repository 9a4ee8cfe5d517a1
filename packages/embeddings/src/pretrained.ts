import { ConfigError, deriveSeed, Vocabulary } from '@strand/base';
import { createParameter, type Initializer, initializers } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { type EmbeddingParams, zeroRow } from './embedding.js';
import type { KeyedVectors } from './keyed-vectors.js';

export interface FromVectorsOptions {
  /** Its row is zero and it is not reported missing. */
  readonly paddingIdx?: number;
  /** For words without a vector; default normal with the pretrained values' standard deviation. */
  readonly init?: Initializer;
  /** Seeds the rows of missing words (deriveSeed(seed, 'weight')). */
  readonly seed: number;
  /** Look a word up in lower case when its exact form is absent (GloVe's vocabularies are lower case). */
  readonly lowercaseFallback?: boolean;
}

export interface FromVectorsResult {
  readonly params: EmbeddingParams;
  /** Vocabulary words with no vector, initialised by `init` instead. */
  readonly missing: readonly string[];
  /** How many rows came from the pretrained vectors. */
  readonly found: number;
}

/**
 * An Embedding for a vocabulary (a base `Vocabulary`, or an id → word list) whose rows are the
 * pretrained vectors of its words.
 *
 * @example
 * const { params, missing } = initEmbeddingFromVectors(glove, vocab, { seed: 0, paddingIdx: 0 });
 * console.log(`${missing.length} words had no vector`, missing.slice(0, 10));
 */
export function initEmbeddingFromVectors(
  kv: KeyedVectors,
  vocabulary: Vocabulary | readonly string[],
  { paddingIdx, init, seed, lowercaseFallback = false }: FromVectorsOptions,
): FromVectorsResult {
  // A base Vocabulary (the convention: <pad> 0, <unk> 1, <bos> 2, <eos> 3) or any id -> word list.
  const words = vocabulary instanceof Vocabulary ? vocabulary.tokens : vocabulary;
  const V = words.length;
  if (V === 0) throw new ConfigError('the vocabulary is empty', 'vocabulary');
  if (paddingIdx !== undefined && !(Number.isInteger(paddingIdx) && paddingIdx >= 0 && paddingIdx < V)) {
    throw new ConfigError(
      `paddingIdx must be an integer in [0, ${V - 1}], received ${paddingIdx}`,
      'paddingIdx',
    );
  }
  const dim = kv.dim;
  let fallback = init;
  if (fallback === undefined) {
    let s = 0;
    let s2 = 0;
    for (const v of kv.vectors) {
      s += v;
      s2 += v * v;
    }
    const n = Math.max(kv.vectors.length, 1);
    const std = Math.sqrt(Math.max(s2 / n - (s / n) ** 2, 0));
    fallback = std > 0 ? initializers.normal({ stddev: std }) : initializers.zeros();
  }
  // Pretrained rows where a vector was found, the initializer's rows elsewhere, composed on the
  // device (no read-back: WebGPU in Node cannot read synchronously).
  const pretrained = new Float32Array(V * dim);
  const found01 = new Float32Array(V);
  const missing: string[] = [];
  let found = 0;
  words.forEach((word, id) => {
    if (id === paddingIdx) return;
    let row = kv.indexOf(word);
    if (row === undefined && lowercaseFallback) row = kv.indexOf(word.toLowerCase());
    if (row === undefined) {
      missing.push(word);
      return;
    }
    pretrained.set(kv.vectors.subarray(row * dim, (row + 1) * dim), id * dim);
    found01[id] = 1;
    found++;
  });
  const weight = createParameter(fallback, [V, dim], deriveSeed(seed, 'weight'));
  tf.tidy(() => {
    const mask = tf.tensor2d(found01, [V, 1]); // 1 = use the pretrained row
    const mixed = tf.add(tf.mul(weight, tf.sub(1, mask)), tf.tensor2d(pretrained, [V, dim]));
    weight.assign(mixed);
  });
  if (paddingIdx !== undefined) zeroRow(weight, paddingIdx);
  return { params: { weight }, missing, found };
}
