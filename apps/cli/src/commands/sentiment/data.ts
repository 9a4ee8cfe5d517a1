/**
 * The labelled review sentences (amazon_cells, imdb, yelp; 500 positive and 500 negative each), split
 * per source as the published logistic-regression baseline does: a seeded 75/25 split (stratified by
 * label, fixed seed so that figures compare across runs) and, for cross-validation, 10 seeded folds.
 */
import { type SentimentExample, shuffledIndices, splitItems } from '@strand/data';
import { loadSentiment } from '@strand/data/node';

export const SPLIT_SEED = 1000;
export const TEST_FRACTION = 0.25;

export interface SourceSplit {
  readonly source: string;
  readonly train: readonly SentimentExample[];
  readonly test: readonly SentimentExample[];
  /** All of the source's examples (cross-validation folds are drawn from them). */
  readonly all: readonly SentimentExample[];
}

/**
 * Lower-cased word tokens for the neural models: runs of letters, digits and apostrophes, and the
 * marks `!` and `?` (which carry sentiment).
 */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+|[!?]/gu) ?? [];
}

/**
 * scikit-learn CountVectorizer's default analyzer: lower case, tokens of 2+ word characters
 * (`\b\w\w+\b` with Python's Unicode `\w`: letters, digits, underscore; JavaScript's `\w` would
 * be ASCII only, hence the property classes).
 */
export function countVectorizerTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [];
}

export async function loadSources(options: {
  readonly dataDir: string | undefined;
  readonly limit?: number | undefined;
}): Promise<SourceSplit[]> {
  const examples = await loadSentiment(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const sources = [...new Set(examples.map((e) => e.source))].sort();
  return sources.map((source) => {
    let all: readonly SentimentExample[] = examples.filter((e) => e.source === source);
    if (options.limit !== undefined && options.limit < all.length) {
      all = splitItems(all, {
        validFraction: options.limit / all.length,
        seed: SPLIT_SEED + 1,
        stratifyBy: (e) => String(e.label),
      }).valid;
    }
    const { train, valid } = splitItems(all, {
      validFraction: TEST_FRACTION,
      seed: SPLIT_SEED,
      stratifyBy: (e) => String(e.label),
    });
    return { source, train, test: valid, all };
  });
}

/** k seeded folds of `items`: fold i is the test part of the i-th (train, test) pair. */
export function folds<T>(items: readonly T[], k: number, seed: number): { train: T[]; test: T[] }[] {
  const order = shuffledIndices(items.length, seed);
  const fold = new Int32Array(items.length);
  order.forEach((item, rank) => {
    fold[item] = rank % k;
  });
  return Array.from({ length: k }, (_, f) => ({
    train: items.filter((_, i) => fold[i] !== f),
    test: items.filter((_, i) => fold[i] === f),
  }));
}
