/**
 * The English→French pairs: the tutorial's normalisation (lowercase, ASCII-fold, punctuation split
 * off; done by @strand/data's `loadEngFra({ normalize: true })`), a seeded 80/10/10 split by source
 * sentence, word-level
 * (or byte-level BPE) tokenizers trained on the training split only, and padded, length-bucketed
 * batches. BLEU always scores whitespace words of the normalised text, whatever the tokenizer.
 * Browser-safe (the playground trains the same model from it); corpus.ts reads the file in Node.
 */
import { deriveSeed, Rng } from '@strand/base';
import { BPETokenizer, type Tokenizer, WordTokenizer } from '@strand/tokenizers';

export type TokenizerKind = 'word' | 'bpe';

export interface Pair {
  readonly source: string;
  readonly target: string;
}

export interface EncodedPair extends Pair {
  /** Source ids with <eos> (no <bos>): [S]. */
  readonly src: readonly number[];
  /** Target ids <bos> ... <eos>: [T + 1]. */
  readonly tgt: readonly number[];
}

export interface Corpus {
  readonly train: readonly EncodedPair[];
  readonly valid: readonly EncodedPair[];
  readonly test: readonly EncodedPair[];
  readonly sourceTokenizer: Tokenizer;
  readonly targetTokenizer: Tokenizer;
  readonly tokenizer: TokenizerKind;
}

/**
 * A seeded 80/10/10 split (train, valid, test) of `pairs` by source sentence: every translation of
 * one source falls in the same part, and the test and validation parts take whole sources until
 * they hold at least 10% of the pairs each. Why by source: the eng-fra file lists 5,000 pairs for
 * 2,597 distinct English sentences ("go ." has three translations). Split by pair, about two thirds
 * of the test sources were in training under another translation, and BLEU against that one
 * reference scored which of the alternatives a model had memorised, not how it translates.
 */
export function splitPairs<T extends { readonly source: string }>(
  pairs: readonly T[],
  seed: number,
): { train: T[]; valid: T[]; test: T[] } {
  const order = new Rng(deriveSeed(seed, 'translate-split')).shuffle(groupBySource(pairs));
  const nTest = Math.round(pairs.length * 0.1);
  const nValid = Math.round(pairs.length * 0.1);
  const test: T[] = [];
  const valid: T[] = [];
  const train: T[] = [];
  for (const group of order) {
    const part = test.length < nTest ? test : valid.length < nValid ? valid : train;
    part.push(...group);
  }
  return { train, valid, test };
}

/** The pairs grouped by source, groups and pairs in first-seen order. */
function groupBySource<T extends { readonly source: string }>(pairs: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const p of pairs) {
    const group = groups.get(p.source);
    if (group) group.push(p);
    else groups.set(p.source, [p]);
  }
  return [...groups.values()];
}

/** One test sentence: a distinct source, its ids, and all its translations in the split (the references). */
export interface TestSentence {
  readonly source: string;
  /** Source ids with <eos>: [S]. */
  readonly src: readonly number[];
  readonly references: readonly string[];
}

/** The distinct sources of `pairs` in first-seen order, each with every target it has there. */
export function testSentences(pairs: readonly EncodedPair[]): TestSentence[] {
  return groupBySource(pairs).map((group) => ({
    source: group[0]!.source,
    src: group[0]!.src,
    references: group.map((p) => p.target),
  }));
}

/** Word tokens of normalised text: what BLEU counts. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

/** Whitespace words only: the text is normalised already, punctuation split off. */
const WORD_PATTERN = '\\S+';

export function trainTokenizer(texts: readonly string[], kind: TokenizerKind, bpeVocab: number): Tokenizer {
  return kind === 'word'
    ? WordTokenizer.train(texts, { pattern: WORD_PATTERN, normalization: null, minFrequency: 1 })
    : BPETokenizer.train(texts, { vocabSize: bpeVocab, pattern: 'gpt2', minFrequency: 2 });
}

export function encodeSource(tokenizer: Tokenizer, text: string): number[] {
  return [...tokenizer.encodeIds(text, { addSpecialTokens: false }), 3];
}

export function encodeTarget(tokenizer: Tokenizer, text: string): number[] {
  return [2, ...tokenizer.encodeIds(text, { addSpecialTokens: false }), 3];
}

/**
 * Target ids back to normalised text (specials dropped). Word-level: the words joined by single
 * spaces, as the references are written ("je suis gros ."; the tokenizer's own decoder would glue
 * punctuation on, "gros.", and BLEU would count "gros." as an unseen word); BPE: its byte decoder.
 */
export function decodeTarget(tokenizer: Tokenizer, kind: TokenizerKind, ids: readonly number[]): string {
  const body = ids.filter((id) => id > 3);
  if (kind === 'word') return body.map((id) => tokenizer.idToToken(id) ?? '<unk>').join(' ');
  return words(tokenizer.decode(body)).join(' ');
}

/**
 * The corpus of `pairs` (normalised): the seeded 80/10/10 split, tokenizers trained on the training
 * split only, every pair encoded. Browser-safe; `loadCorpus` (corpus.ts) reads the pairs from disk.
 */
export function buildCorpus(
  pairs: readonly Pair[],
  options: { readonly seed: number; readonly tokenizer: TokenizerKind; readonly bpeVocab: number },
): Corpus {
  const split = splitPairs(pairs, options.seed);
  const sourceTokenizer = trainTokenizer(
    split.train.map((p) => p.source),
    options.tokenizer,
    options.bpeVocab,
  );
  const targetTokenizer = trainTokenizer(
    split.train.map((p) => p.target),
    options.tokenizer,
    options.bpeVocab,
  );
  const encode = (ps: readonly Pair[]): EncodedPair[] =>
    ps.map((p) => ({
      source: p.source,
      target: p.target,
      src: encodeSource(sourceTokenizer, p.source),
      tgt: encodeTarget(targetTokenizer, p.target),
    }));
  return {
    train: encode(split.train),
    valid: encode(split.valid),
    test: encode(split.test),
    sourceTokenizer,
    targetTokenizer,
    tokenizer: options.tokenizer,
  };
}

/** A padded batch: src [B, S], tgtIn [B, T], tgtOut [B, T], mask [B, T] (row-major). */
export interface PairBatch {
  readonly batch: number;
  readonly sourceLength: number;
  readonly targetLength: number;
  readonly src: Int32Array;
  readonly tgtIn: Int32Array;
  readonly tgtOut: Int32Array;
  readonly mask: Float32Array;
}

export function padBatch(pairs: readonly EncodedPair[]): PairBatch {
  const B = pairs.length;
  const S = Math.max(...pairs.map((p) => p.src.length));
  const T = Math.max(...pairs.map((p) => p.tgt.length - 1));
  const src = new Int32Array(B * S);
  const tgtIn = new Int32Array(B * T);
  const tgtOut = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  pairs.forEach((p, b) => {
    p.src.forEach((id, i) => {
      src[b * S + i] = id;
    });
    for (let t = 0; t + 1 < p.tgt.length; t++) {
      tgtIn[b * T + t] = p.tgt[t]!;
      tgtOut[b * T + t] = p.tgt[t + 1]!;
      mask[b * T + t] = 1;
    }
  });
  return { batch: B, sourceLength: S, targetLength: T, src, tgtIn, tgtOut, mask };
}

/**
 * The batches of one epoch: shuffled (seeded by epoch), cut into chunks of 20 batches sorted by
 * source length so that little padding is needed, then the batch order shuffled again.
 */
export function epochBatches(pairs: readonly EncodedPair[], batchSize: number, seed: number, epoch: number) {
  const rng = new Rng(deriveSeed(seed, 'translate-epoch', epoch));
  const order = rng.shuffle(pairs.map((_, i) => i));
  const chunk = batchSize * 20;
  const batches: EncodedPair[][] = [];
  for (let c = 0; c < order.length; c += chunk) {
    const part = order
      .slice(c, c + chunk)
      .sort((a, b) => pairs[a]!.src.length - pairs[b]!.src.length || a - b);
    for (let i = 0; i < part.length; i += batchSize)
      batches.push(part.slice(i, i + batchSize).map((j) => pairs[j]!));
  }
  return rng.shuffle(batches);
}
