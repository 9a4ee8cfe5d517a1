/**
 * A part-of-speech tagger: a first-order HMM over tags trained from labelled sentences, with
 * add-k smoothing, stop probabilities, a lower-case fallback for known words, and TnT's suffix
 * model for unknown words. Decoding is Viterbi.
 */
import { InputError } from '@strand/base';
import type { TaggedSentence } from './conllu.js';
import type { HmmCore } from './hmm-inference.js';
import { trainUnknownWordModel, type UnknownWordModel, unknownWordScores } from './unknown-words.js';
import { viterbiCore } from './viterbi.js';

export interface PosTaggerOptions {
  /** Added to tag-transition, start and stop counts. Default 0.1. */
  readonly transitionPseudocount?: number;
  /** Added to word-emission counts (over known words plus one unknown slot). Default 0.01. */
  readonly emissionPseudocount?: number;
  /** Words seen at most this often train the unknown-word model. Default 10 (TnT). */
  readonly rareThreshold?: number;
  /** Longest suffix of the unknown-word model. Default 6. */
  readonly maxSuffixLength?: number;
}

export interface PosTagger {
  readonly tags: readonly string[];
  readonly core: HmmCore;
  /** Known word forms -> row of emissionLogProbs. */
  readonly lexicon: ReadonlyMap<string, number>;
  /** [W, S] log P(word | tag). */
  readonly emissionLogProbs: Float64Array;
  readonly unknown: UnknownWordModel;
}

export function trainPosTagger(
  sentences: readonly TaggedSentence[],
  options: PosTaggerOptions = {},
): PosTagger {
  if (sentences.length === 0) {
    throw new InputError({
      what: 'tagged sentences',
      expected: 'a non-empty array',
      received: 'an empty array',
    });
  }
  const kTrans = options.transitionPseudocount ?? 0.1;
  const kEmit = options.emissionPseudocount ?? 0.01;
  const tagIndex = new Map<string, number>();
  const lexicon = new Map<string, number>();
  const wordCounts = new Map<string, number>();
  const tokens: [string, number][] = [];
  sentences.forEach((s, n) => {
    if (s.words.length !== s.tags.length || s.words.length === 0) {
      throw new InputError({
        what: `tagged sentence ${n}`,
        expected: 'as many tags as words, and at least one word',
        received: `${s.words.length} words and ${s.tags.length} tags`,
      });
    }
    s.words.forEach((w, i) => {
      const tag = s.tags[i]!;
      if (!tagIndex.has(tag)) tagIndex.set(tag, tagIndex.size);
      if (!lexicon.has(w)) lexicon.set(w, lexicon.size);
      wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
      tokens.push([w, tagIndex.get(tag)!]);
    });
  });
  const S = tagIndex.size;
  const W = lexicon.size;
  const start = new Float64Array(S).fill(kTrans);
  const trans = new Float64Array(S * S).fill(kTrans);
  const end = new Float64Array(S).fill(kTrans);
  const emit = new Float64Array(W * S);
  const tagCount = new Float64Array(S);
  let i = 0;
  for (const s of sentences) {
    let prev = -1;
    for (const w of s.words) {
      const t = tokens[i++]![1];
      if (prev < 0) start[t]!++;
      else trans[prev * S + t]!++;
      emit[lexicon.get(w)! * S + t]!++;
      tagCount[t]!++;
      prev = t;
    }
    end[prev]!++;
  }
  let startTotal = 0;
  for (let t = 0; t < S; t++) startTotal += start[t]!;
  for (let t = 0; t < S; t++) start[t]! /= startTotal;
  for (let a = 0; a < S; a++) {
    let total = end[a]!;
    for (let b = 0; b < S; b++) total += trans[a * S + b]!;
    for (let b = 0; b < S; b++) trans[a * S + b]! /= total;
    end[a]! /= total;
  }
  for (let w = 0; w < W; w++) {
    for (let t = 0; t < S; t++)
      emit[w * S + t] = Math.log((emit[w * S + t]! + kEmit) / (tagCount[t]! + kEmit * (W + 1)));
  }
  const unknown = trainUnknownWordModel(tokens, wordCounts, S, {
    rareThreshold: options.rareThreshold ?? 10,
    maxSuffixLength: options.maxSuffixLength ?? 6,
  });
  return {
    tags: [...tagIndex.keys()],
    core: { numStates: S, start, transitions: trans, end },
    lexicon,
    emissionLogProbs: emit,
    unknown,
  };
}

/** The most probable tag sequence for a sentence. */
export function tagSentence(tagger: PosTagger, words: readonly string[]): string[] {
  if (words.length === 0) return [];
  const S = tagger.tags.length;
  const logB = new Float64Array(words.length * S);
  words.forEach((w, t) => {
    const row = tagger.lexicon.get(w) ?? tagger.lexicon.get(w.toLowerCase());
    if (row === undefined) unknownWordScores(tagger.unknown, w, logB, t * S);
    else logB.set(tagger.emissionLogProbs.subarray(row * S, (row + 1) * S), t * S);
  });
  return Array.from(viterbiCore(tagger.core, logB, words.length).path, (s) => tagger.tags[s]!);
}

export interface TaggerEvaluation {
  readonly accuracy: number;
  readonly knownAccuracy: number;
  readonly unknownAccuracy: number;
  readonly tokens: number;
  readonly unknownTokens: number;
}

/** Token accuracy overall and on words seen / not seen in training (exact form). */
export function evaluateTagger(tagger: PosTagger, sentences: readonly TaggedSentence[]): TaggerEvaluation {
  let right = 0;
  let tokens = 0;
  let unknown = 0;
  let unknownRight = 0;
  for (const s of sentences) {
    const predicted = tagSentence(tagger, s.words);
    s.words.forEach((w, i) => {
      const ok = predicted[i] === s.tags[i];
      tokens++;
      if (ok) right++;
      if (!tagger.lexicon.has(w)) {
        unknown++;
        if (ok) unknownRight++;
      }
    });
  }
  return {
    accuracy: right / tokens,
    knownAccuracy: (right - unknownRight) / (tokens - unknown),
    unknownAccuracy: unknown > 0 ? unknownRight / unknown : Number.NaN,
    tokens,
    unknownTokens: unknown,
  };
}
