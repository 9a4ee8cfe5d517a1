/** Training n-gram language models from tokenised sentences. */
import { buildVocabulary, InputError, positiveInteger, type Vocabulary } from '@strand/base';
import { estimateAddK, estimateMle, estimateStupidBackoff } from './additive.js';
import { estimateKneserNey } from './kneser-ney.js';
import { countNgrams } from './ngram-counts.js';
import { NgramLanguageModel, type Sentence } from './ngram-model.js';
import type { NgramEstimate, NgramSmoothing } from './ngram-smoothing.js';
import { estimateWittenBell } from './witten-bell.js';

export interface NgramTrainOptions {
  /** n, the longest n-gram. */
  readonly order: number;
  /** Default: modified Kneser-Ney. */
  readonly smoothing?: NgramSmoothing;
  /** A fixed vocabulary (required when sentences are ids); words outside it count as `<unk>`. */
  readonly vocabulary?: Vocabulary;
  /** When building the vocabulary: words seen fewer times become `<unk>`. Default 1. */
  readonly minCount?: number;
  /** When building the vocabulary: keep at most this many ids, most frequent first. */
  readonly maxVocabularySize?: number;
}

/**
 * Trains an n-gram language model.
 *
 * @example
 * const lm = trainNgramLm([['the', 'cat'], ['the', 'dog']], { order: 3, smoothing: { kind: 'witten-bell' } });
 * lm.perplexity([['the', 'cat']]);
 */
export function trainNgramLm(sentences: readonly Sentence[], options: NgramTrainOptions): NgramLanguageModel {
  positiveInteger(options.order, 'order');
  if (!Array.isArray(sentences) || sentences.length === 0) {
    throw new InputError({
      what: 'training sentences',
      expected: 'a non-empty array of sentences',
      received: Array.isArray(sentences) ? 'an empty array' : typeof sentences,
    });
  }
  const numeric = sentences.some((s) => s.length > 0 && typeof s[0] === 'number');
  if (numeric && !options.vocabulary) {
    throw new InputError({
      what: 'vocabulary',
      expected: 'a Vocabulary when sentences are given as ids',
      received: 'none',
      hint: 'pass { vocabulary } whose ids the sentences use, or pass words',
    });
  }
  const vocabulary =
    options.vocabulary ??
    buildVocabulary(sentences as readonly (readonly string[])[], {
      minCount: options.minCount,
      maxSize: options.maxVocabularySize,
    });
  const smoothing = options.smoothing ?? { kind: 'modified-kneser-ney' };
  // Encoding goes through a throwaway model so the same validation applies to training and scoring.
  const encoder = new NgramLanguageModel({
    order: 1,
    vocabulary,
    smoothing,
    levels: [],
    logProb: [],
    backoff: [],
    queryKind: 'backoff',
  });
  const encoded = sentences.map((s, i) => encoder.encode(s, `training sentence ${i}`));
  const counts = countNgrams(encoded, options.order, vocabulary.size);
  const estimate = estimate_(counts, smoothing);
  return new NgramLanguageModel({
    ...estimate,
    order: options.order,
    vocabulary,
    smoothing,
    levels: counts.levels,
  });
}

function estimate_(counts: ReturnType<typeof countNgrams>, s: NgramSmoothing): NgramEstimate {
  switch (s.kind) {
    case 'mle':
      return estimateMle(counts);
    case 'add-k':
      return estimateAddK(counts, s.k);
    case 'witten-bell':
      return estimateWittenBell(counts);
    case 'kneser-ney':
    case 'modified-kneser-ney':
      return estimateKneserNey(counts, s);
    case 'stupid-backoff':
      if (s.alpha !== undefined && !(s.alpha > 0)) {
        throw new InputError({
          what: 'stupid backoff alpha',
          expected: 'a number > 0',
          received: String(s.alpha),
        });
      }
      return estimateStupidBackoff(counts);
    default:
      return unknownSmoothing(s);
  }
}

function unknownSmoothing(s: never): never {
  throw new InputError({
    what: 'smoothing.kind',
    expected: 'mle, add-k, witten-bell, kneser-ney, modified-kneser-ney or stupid-backoff',
    received: JSON.stringify((s as { kind?: unknown }).kind),
  });
}
