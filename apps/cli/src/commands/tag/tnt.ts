/**
 * A second-order HMM tagger after TnT (Brants 2000), which @strand/markov's first-order
 * `trainPosTagger` does not cover: trigram tag transitions smoothed by deleted interpolation of
 * the unigram, bigram and trigram estimates, lexical probabilities P(word | tag) by maximum
 * likelihood, and, for unseen words, tag distributions from word-final letters of rare words
 * combined by successive abstraction, kept apart for capitalised and lower-case words.
 * Decoding is Viterbi over tag pairs. Plain data and pure functions; no tensors.
 */
import { InputError } from '@strand/base';

export interface TaggedSentence {
  readonly words: readonly string[];
  readonly tags: readonly string[];
}

export interface TntOptions {
  /**
   * Split every tag by whether the word starts with a capital (TnT's capitalisation states), so
   * that transitions see it. Default true.
   */
  readonly capitalisation?: boolean;
  /** Words seen at most this often train the suffix model (TnT: 10; default 3, best on dev). */
  readonly rareThreshold?: number;
  /** Longest suffix (TnT: 10; default 2, best on EWT dev: its unseen words are often names, typos and URLs). */
  readonly maxSuffixLength?: number;
  /**
   * Words seen at most `rareBlend.count` times: P(w | t) mixes the maximum-likelihood estimate with
   * weight 1 - `weight` and the suffix model's with `weight`, so that a word seen once with one tag
   * can still take another (TnT has no such term; it helps on the small EWT). Default {count: 2, weight: 0.2}.
   */
  readonly rareBlend?: { readonly count: number; readonly weight: number };
}

export interface TntTagger {
  /** The tags the tagger outputs. */
  readonly tags: readonly string[];
  /** The HMM's states: a tag, or with capitalisation a (tag, capitalised) pair; names like `NOUN|U`. */
  readonly states: readonly string[];
  /** Index into `tags` of each state. */
  readonly stateTag: readonly number[];
  /** With capitalisation: each state's twin of the other case (-1 when never seen), else itself. */
  readonly twin: readonly number[];
  /** Deleted-interpolation weights [λ1, λ2, λ3] of unigram, bigram and trigram. */
  readonly lambdas: readonly [number, number, number];
  /**
   * log P(t3 | t1, t2) as a [(S+1), (S+1), S+1] table: index S is the sentence boundary
   * (a start tag as t1/t2, the end of sentence as t3).
   */
  readonly logTrans: Float64Array;
  /** Known word -> log P(word | tag) over the S tags (-Infinity where never seen with that tag). */
  readonly lexicon: ReadonlyMap<string, Float64Array>;
  readonly suffix: SuffixModel;
}

export interface SuffixModel {
  readonly maxSuffixLength: number;
  readonly theta: number;
  /** `${case}|${suffix}` -> tag counts, case 'U' (capitalised) or 'l'. */
  readonly counts: ReadonlyMap<string, Float64Array>;
  /** log P(t) over all training tokens. */
  readonly logPrior: Float64Array;
}

export function trainTnt(sentences: readonly TaggedSentence[], options: TntOptions = {}): TntTagger {
  if (sentences.length === 0)
    throw new InputError({ what: 'tagged sentences', expected: 'at least one', received: 'none' });
  const cap = options.capitalisation ?? true;
  const stateName = (tag: string, word: string): string => (cap ? `${tag}|${caseOf(word)}` : tag);
  const tagIndex = new Map<string, number>();
  const outTags = new Map<string, number>();
  for (const [n, s] of sentences.entries()) {
    if (s.words.length !== s.tags.length || s.words.length === 0)
      throw new InputError({
        what: `tagged sentence ${n}`,
        expected: 'as many tags as words, and at least one word',
        received: `${s.words.length} words and ${s.tags.length} tags`,
      });
    s.tags.forEach((t, i) => {
      const name = stateName(t, s.words[i]!);
      if (!tagIndex.has(name)) tagIndex.set(name, tagIndex.size);
      if (!outTags.has(t)) outTags.set(t, outTags.size);
    });
  }
  const S = tagIndex.size;
  const B = S; // the boundary symbol
  const K = S + 1;
  const uni = new Float64Array(K);
  const bi = new Float64Array(K * K);
  const tri = new Float64Array(K * K * K);
  const wordTag = new Map<string, Float64Array>();
  const tokens: [string, number][] = [];
  for (const s of sentences) {
    const seq = [B, B, ...s.tags.map((t, i) => tagIndex.get(stateName(t, s.words[i]!))!), B];
    for (let i = 2; i < seq.length; i++) {
      const [a, b, c] = [seq[i - 2]!, seq[i - 1]!, seq[i]!];
      uni[c]!++;
      bi[b * K + c]!++;
      tri[(a * K + b) * K + c]!++;
    }
    s.words.forEach((w, i) => {
      const t = seq[i + 2]!;
      let row = wordTag.get(w);
      if (!row) {
        row = new Float64Array(S);
        wordTag.set(w, row);
      }
      row[t]!++;
      tokens.push([w, t]);
    });
  }
  // Context counts f(t1, t2) and f(t2) as contexts (the boundary appears as a context twice per sentence).
  const ctx2 = new Float64Array(K * K);
  const ctx1 = new Float64Array(K);
  for (let a = 0; a < K; a++)
    for (let b = 0; b < K; b++)
      for (let c = 0; c < K; c++) {
        const f = tri[(a * K + b) * K + c]!;
        ctx2[a * K + b]! += f;
      }
  for (let b = 0; b < K; b++) for (let c = 0; c < K; c++) ctx1[b]! += bi[b * K + c]!;
  let N = 0;
  for (let c = 0; c < K; c++) N += uni[c]!;
  // Deleted interpolation (Brants 2000, figure 1): each trigram votes, with its count, for the
  // estimate that predicts it best once that trigram is taken out of the counts.
  const lambda = [0, 0, 0];
  const ratio = (num: number, den: number) => (den > 0 ? num / den : 0);
  for (let a = 0; a < K; a++)
    for (let b = 0; b < K; b++)
      for (let c = 0; c < K; c++) {
        const f = tri[(a * K + b) * K + c]!;
        if (f === 0) continue;
        const c3 = ratio(f - 1, ctx2[a * K + b]! - 1);
        const c2 = ratio(bi[b * K + c]! - 1, ctx1[b]! - 1);
        const c1 = ratio(uni[c]! - 1, N - 1);
        if (c3 >= c2 && c3 >= c1) lambda[2]! += f;
        else if (c2 >= c1) lambda[1]! += f;
        else lambda[0]! += f;
      }
  const lsum = lambda[0]! + lambda[1]! + lambda[2]!;
  const lambdas = [lambda[0]! / lsum, lambda[1]! / lsum, lambda[2]! / lsum] as [number, number, number];
  const logTrans = new Float64Array(K * K * K);
  for (let a = 0; a < K; a++)
    for (let b = 0; b < K; b++)
      for (let c = 0; c < K; c++) {
        const p =
          lambdas[0] * (uni[c]! / N) +
          lambdas[1] * ratio(bi[b * K + c]!, ctx1[b]!) +
          lambdas[2] * ratio(tri[(a * K + b) * K + c]!, ctx2[a * K + b]!);
        logTrans[(a * K + b) * K + c] = Math.log(p);
      }
  const tagCount = uni.subarray(0, S);
  const wordCounts = new Map<string, number>();
  for (const [w, row] of wordTag)
    wordCounts.set(
      w,
      row.reduce((x, y) => x + y, 0),
    );
  const suffix = trainSuffixModel(tokens, wordCounts, S, {
    rareThreshold: options.rareThreshold ?? 3,
    maxSuffixLength: options.maxSuffixLength ?? 2,
  });
  const blend = options.rareBlend ?? { count: 2, weight: 0.2 };
  const lexicon = new Map<string, Float64Array>();
  for (const [w, row] of wordTag) {
    const c = wordCounts.get(w)!;
    if (c > blend.count || blend.weight === 0) {
      lexicon.set(
        w,
        row.map((f, t) => Math.log(f / tagCount[t]!)),
      );
      continue;
    }
    // suffixScores = log P(w | t) - log P(w); P(w) = c / N.
    const s = suffixScores(suffix, w);
    lexicon.set(
      w,
      row.map((f, t) =>
        Math.log((1 - blend.weight) * (f / tagCount[t]!) + blend.weight * (c / N) * Math.exp(s[t]!)),
      ),
    );
  }
  const states = [...tagIndex.keys()];
  const stateTag = states.map((name) => outTags.get(cap ? name.slice(0, name.lastIndexOf('|')) : name)!);
  const twin = states.map((name, i) => {
    if (!cap) return i;
    const bar = name.lastIndexOf('|');
    return tagIndex.get(`${name.slice(0, bar)}|${name.endsWith('|U') ? 'l' : 'U'}`) ?? -1;
  });
  return { tags: [...outTags.keys()], states, stateTag, twin, lambdas, logTrans, lexicon, suffix };
}

/** The word class whose suffixes are pooled: initial capital or not, with digits, with a hyphen. */
export function wordClass(w: string): string {
  let c = w.charAt(0) !== w.charAt(0).toLowerCase() ? 'U' : 'l';
  if (/\d/u.test(w)) c += 'd';
  if (w.includes('-')) c += 'h';
  return c;
}
const caseOf = (w: string): string => (w.charAt(0) !== w.charAt(0).toLowerCase() ? 'U' : 'l');
const suffixClass = caseOf;

function trainSuffixModel(
  tokens: readonly (readonly [string, number])[],
  wordCounts: ReadonlyMap<string, number>,
  S: number,
  o: { rareThreshold: number; maxSuffixLength: number },
): SuffixModel {
  const counts = new Map<string, Float64Array>();
  const prior = new Float64Array(S);
  for (const [w, t] of tokens) {
    prior[t]!++;
    if ((wordCounts.get(w) ?? 0) > o.rareThreshold) continue;
    const cs = suffixClass(w);
    for (let i = 0; i <= Math.min(o.maxSuffixLength, w.length); i++) {
      const key = `${cs}|${w.slice(w.length - i)}`;
      let c = counts.get(key);
      if (!c) {
        c = new Float64Array(S);
        counts.set(key, c);
      }
      c[t]!++;
    }
  }
  const total = prior.reduce((a, b) => a + b, 0);
  const p = prior.map((c) => c / total);
  // θ: the standard deviation of the unconditioned tag probabilities (Brants 2000, eq. 9).
  const mean = 1 / S;
  let variance = 0;
  for (let t = 0; t < S; t++) variance += (p[t]! - mean) ** 2;
  const theta = Math.sqrt(variance / Math.max(1, S - 1));
  return { maxSuffixLength: o.maxSuffixLength, theta, counts, logPrior: p.map(Math.log) };
}

/** log P(word | tag) up to a per-word constant, for an unseen word: log P(t | suffix) - log P(t). */
export function suffixScores(m: SuffixModel, word: string): Float64Array {
  const S = m.logPrior.length;
  const cs = suffixClass(word);
  const p = new Float64Array(S);
  for (let i = 0; i <= Math.min(m.maxSuffixLength, word.length); i++) {
    const c = m.counts.get(`${cs}|${word.slice(word.length - i)}`);
    if (!c) break;
    let total = 0;
    for (let t = 0; t < S; t++) total += c[t]!;
    for (let t = 0; t < S; t++) {
      const ml = c[t]! / total;
      p[t] = i === 0 ? ml : (ml + m.theta * p[t]!) / (1 + m.theta);
    }
  }
  // A case class never seen among rare words (cannot happen on real data): fall back to the prior.
  if (p.every((x) => x === 0)) return new Float64Array(S);
  return p.map((x, t) => Math.log(x) - m.logPrior[t]!);
}

/** Emission scores [n, S] of a sentence; known words by exact form, then lower-cased, else suffixes. */
function emissions(tagger: TntTagger, words: readonly string[]): Float64Array[] {
  // A capitalised unseen form falls back to its lower-cased form (sentence starts, titles,
  // shouting), moved onto the capitalised twins of the states.
  return words.map((w) => {
    const known = tagger.lexicon.get(w);
    if (known) return known;
    const lower = tagger.lexicon.get(w.toLowerCase());
    if (lower) {
      const row = tagger.twin.map((t) => (t < 0 ? Number.NEGATIVE_INFINITY : lower[t]!));
      if (row.some((x) => x > Number.NEGATIVE_INFINITY)) return Float64Array.from(row);
    }
    return suffixScores(tagger.suffix, w);
  });
}

/** The most probable tag sequence (second-order Viterbi over tag pairs, with the end transition). */
export function tagTnt(tagger: TntTagger, words: readonly string[]): string[] {
  const n = words.length;
  if (n === 0) return [];
  const S = tagger.states.length;
  const K = S + 1;
  const B = S;
  const T = tagger.logTrans;
  const e = emissions(tagger, words);
  // delta[i][b * K + c]: best log score of tags ending in (b, c) at position i; b = B at i = 0.
  const NEG = Number.NEGATIVE_INFINITY;
  const deltas: Float64Array[] = [];
  const backs: Int32Array[] = [];
  let prev = new Float64Array(K * K).fill(NEG);
  for (let c = 0; c < S; c++) {
    const em = e[0]![c]!;
    if (em > NEG) prev[B * K + c] = T[(B * K + B) * K + c]! + em;
  }
  deltas.push(prev);
  backs.push(new Int32Array(K * K).fill(-1));
  for (let i = 1; i < n; i++) {
    const cur = new Float64Array(K * K).fill(NEG);
    const back = new Int32Array(K * K).fill(-1);
    const em = e[i]!;
    for (let a = 0; a < K; a++)
      for (let b = 0; b < S; b++) {
        const d = prev[a * K + b]!;
        if (d === NEG) continue;
        const base = (a * K + b) * K;
        for (let c = 0; c < S; c++) {
          if (em[c]! === NEG) continue;
          const v = d + T[base + c]! + em[c]!;
          if (v > cur[b * K + c]!) {
            cur[b * K + c] = v;
            back[b * K + c] = a;
          }
        }
      }
    deltas.push(cur);
    backs.push(back);
    prev = cur;
  }
  let best = NEG;
  let bestPair = -1;
  for (let a = 0; a < K; a++)
    for (let b = 0; b < S; b++) {
      const d = prev[a * K + b]!;
      if (d === NEG) continue;
      const v = d + T[(a * K + b) * K + B]!;
      if (v > best) {
        best = v;
        bestPair = a * K + b;
      }
    }
  const out = new Array<number>(n);
  let a = Math.floor(bestPair / K);
  let b = bestPair % K;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = b;
    const before = backs[i]![a * K + b]!;
    b = a;
    a = before;
  }
  return out.map((s) => tagger.tags[tagger.stateTag[s]!]!);
}
