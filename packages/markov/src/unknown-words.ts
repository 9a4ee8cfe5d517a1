/**
 * The unknown-word model of a part-of-speech tagger, after TnT (Brants 2000): tag distributions
 * conditioned on word-final letters, learned from rare training words and combined over suffix
 * lengths by successive abstraction, separately for each word shape (capitalised, digits, hyphen).
 * Score for an unknown word w and tag t: log P(t | suffix, shape) - log P(t), which is
 * log P(w | t) up to a term that is the same for every tag (so Viterbi is unaffected).
 */

export interface UnknownWordModel {
  readonly numTags: number;
  readonly maxSuffixLength: number;
  /** Smoothing weight of successive abstraction (the standard deviation of the tag probabilities). */
  readonly theta: number;
  /** `${shape}|${suffix}` -> tag counts; shape `*` pools all shapes. */
  readonly counts: ReadonlyMap<string, Float64Array>;
  /** log P(t) over all training tokens. */
  readonly logPrior: Float64Array;
}

/** A coarse word shape: U (initial capital) or l, then d if it has a digit, h if it has a hyphen. */
export function wordShape(word: string): string {
  const first = word.charAt(0);
  let shape = first !== first.toLowerCase() ? 'U' : 'l';
  if (/\d/.test(word)) shape += 'd';
  if (word.includes('-')) shape += 'h';
  return shape;
}

export interface UnknownWordOptions {
  /** Words seen at most this often train the model (TnT: 10). */
  readonly rareThreshold: number;
  /** Longest suffix used (TnT: 10). */
  readonly maxSuffixLength: number;
}

/**
 * @param tokens (word, tag) pairs of the whole training corpus
 * @param wordCounts frequency of each word form
 */
export function trainUnknownWordModel(
  tokens: readonly (readonly [string, number])[],
  wordCounts: ReadonlyMap<string, number>,
  numTags: number,
  o: UnknownWordOptions,
): UnknownWordModel {
  const counts = new Map<string, Float64Array>();
  const bump = (key: string, tag: number): void => {
    let c = counts.get(key);
    if (!c) {
      c = new Float64Array(numTags);
      counts.set(key, c);
    }
    c[tag]!++;
  };
  const prior = new Float64Array(numTags);
  for (const [word, tag] of tokens) {
    prior[tag]!++;
    if ((wordCounts.get(word) ?? 0) > o.rareThreshold) continue;
    const shape = wordShape(word);
    const lower = word.toLowerCase();
    for (let i = 0; i <= Math.min(o.maxSuffixLength, lower.length); i++) {
      const suffix = lower.slice(lower.length - i);
      bump(`${shape}|${suffix}`, tag);
      bump(`*|${suffix}`, tag);
    }
  }
  let total = 0;
  for (let t = 0; t < numTags; t++) total += prior[t]!;
  const p = prior.map((c) => c / total);
  const mean = 1 / numTags;
  let variance = 0;
  for (let t = 0; t < numTags; t++) variance += (p[t]! - mean) ** 2;
  const theta = Math.sqrt(variance / Math.max(1, numTags - 1));
  return { numTags, maxSuffixLength: o.maxSuffixLength, theta, counts, logPrior: p.map(Math.log) };
}

/** Writes log P(t | word's suffixes and shape) - log P(t) for every tag into out. */
export function unknownWordScores(m: UnknownWordModel, word: string, out: Float64Array, offset = 0): void {
  const S = m.numTags;
  const shape = wordShape(word);
  const pooled = (m.counts.get(`${shape}|`)?.reduce((a, b) => a + b, 0) ?? 0) < 20;
  const prefix = pooled ? '*' : shape;
  const lower = word.toLowerCase();
  const p = new Float64Array(S);
  // Start from the suffix-free distribution of rare words of this shape, then longer suffixes.
  for (let i = 0; i <= Math.min(m.maxSuffixLength, lower.length); i++) {
    const c = m.counts.get(`${prefix}|${lower.slice(lower.length - i)}`);
    if (!c) break;
    let total = 0;
    for (let t = 0; t < S; t++) total += c[t]!;
    for (let t = 0; t < S; t++) {
      const ml = c[t]! / total;
      p[t] = i === 0 ? ml : (ml + m.theta * p[t]!) / (1 + m.theta);
    }
  }
  for (let t = 0; t < S; t++) out[offset + t] = Math.log(p[t]! + 1e-12) - m.logPrior[t]!;
}
