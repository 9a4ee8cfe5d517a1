import { ConfigError, createRng, type Rng } from '@strand/base';
import { KeyedVectors } from '../keyed-vectors.js';
import { countWords, unigramTable } from './word-counts.js';

export interface SkipGramProgress {
  /** Words (after subsampling is decided, before it drops any) processed so far, over all epochs. */
  readonly wordsProcessed: number;
  /** epochs × words in the vocabulary's part of the corpus. */
  readonly totalWords: number;
  readonly epoch: number;
  readonly learningRate: number;
  /** Mean negative-sampling loss per (word, context) pair since the last report. */
  readonly loss: number;
  readonly wordsPerSecond: number;
}

export interface SkipGramConfig {
  /** Vector size; default 100. */
  readonly dim?: number;
  /** Maximum distance between a word and its context; each word uses a random window in [1, window]. Default 5. */
  readonly window?: number;
  /** Negative samples per positive pair; default 5. */
  readonly negative?: number;
  /** Default 5. */
  readonly epochs?: number;
  /** Words seen fewer times are dropped; default 5. */
  readonly minCount?: number;
  /** Keep at most this many of the most frequent words. */
  readonly maxVocab?: number;
  /** Subsampling threshold for frequent words (Mikolov et al. 2013); 0 turns it off. Default 1e-3. */
  readonly sample?: number;
  /** Starting learning rate, decayed linearly to `learningRate × 1e-4`; default 0.025. */
  readonly learningRate?: number;
  readonly seed: number;
  /** Called about every `progressEvery` words (default 10,000) and at the end. */
  readonly onProgress?: (p: SkipGramProgress) => void;
  readonly progressEvery?: number;
}

/** word2vec cuts sigmoid at ±6: beyond it the gradient is taken as saturated. */
const MAX_EXP = 6;
/** sigmoid and -log sigmoid on [-MAX_EXP, MAX_EXP) in EXP_BINS steps (word2vec's EXP_TABLE idea). */
const EXP_BINS = 4096;
const EXP_SCALE = EXP_BINS / (2 * MAX_EXP);
const SIGMOID = new Float64Array(EXP_BINS);
/** -log σ(x) at each bin's centre; -log(1 - σ(x)) = -log σ(-x) is the mirrored bin. */
const SOFTPLUS_NEG = new Float64Array(EXP_BINS);
for (let i = 0; i < EXP_BINS; i++) {
  const x = ((i + 0.5) / EXP_BINS) * 2 * MAX_EXP - MAX_EXP;
  SIGMOID[i] = 1 / (1 + Math.exp(-x));
  SOFTPLUS_NEG[i] = Math.log1p(Math.exp(-x));
}
/** Streams without sentence boundaries are cut into pieces this long (word2vec's MAX_SENTENCE_LENGTH). */
const MAX_SENTENCE = 1000;

function positiveInt(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 1)
    throw new ConfigError(`${field} must be a positive integer, received ${v}`, field);
  return v;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/**
 * Trains word vectors by skip-gram with negative sampling (word2vec; Mikolov et al. 2013), in plain
 * TypeScript on Float32Arrays: subsampling of frequent words, negatives from the unigram^0.75 table,
 * a random window per word and a linearly decaying learning rate, all seeded by `seed`
 * (the same seed and corpus give identical vectors). It yields to the event loop at each progress report.
 *
 * @param corpus sentences (arrays of words), or one stream of words
 * @returns the input vectors, one per vocabulary word, most frequent first
 *
 * @example
 * const words = text.toLowerCase().match(/[a-z']+/g)!;
 * const kv = await trainSkipGram(words, { dim: 50, epochs: 5, seed: 1 });
 * kv.mostSimilar('king', 5);
 */
export async function trainSkipGram(
  corpus: readonly string[] | readonly (readonly string[])[],
  config: SkipGramConfig,
): Promise<KeyedVectors> {
  const dim = positiveInt(config.dim ?? 100, 'dim');
  const window = positiveInt(config.window ?? 5, 'window');
  const negative = config.negative ?? 5;
  if (!Number.isInteger(negative) || negative < 0) {
    throw new ConfigError(`negative must be a non-negative integer, received ${negative}`, 'negative');
  }
  const epochs = positiveInt(config.epochs ?? 5, 'epochs');
  const sample = config.sample ?? 1e-3;
  if (!(sample >= 0)) throw new ConfigError(`sample must be >= 0, received ${sample}`, 'sample');
  const alpha0 = config.learningRate ?? 0.025;
  if (!(alpha0 > 0)) throw new ConfigError(`learningRate must be > 0, received ${alpha0}`, 'learningRate');
  const progressEvery = positiveInt(config.progressEvery ?? 10_000, 'progressEvery');
  const rng = createRng(config.seed);

  const sentences: readonly (readonly string[])[] =
    corpus.length > 0 && typeof corpus[0] === 'string'
      ? chunk(corpus as readonly string[], MAX_SENTENCE)
      : (corpus as readonly (readonly string[])[]);
  const vocab = countWords(sentences, {
    ...(config.minCount !== undefined && { minCount: config.minCount }),
    ...(config.maxVocab !== undefined && { maxSize: config.maxVocab }),
  });
  const V = vocab.words.length;
  if (V === 0) throw new ConfigError('no word occurs minCount times; the vocabulary is empty', 'minCount');
  const ids = sentences.map((s) =>
    Int32Array.from(s.map((w) => vocab.index.get(w) ?? -1).filter((i) => i >= 0)),
  );
  let trainWords = 0;
  for (const c of vocab.counts) trainWords += c;

  // keep[i]: probability of keeping word i, (√(f / t) + 1) · t / f with t = sample · total (word2vec.c).
  const keep = new Float64Array(V);
  for (let i = 0; i < V; i++) {
    const c = vocab.counts[i]!;
    keep[i] = sample > 0 ? (Math.sqrt(c / (sample * trainWords)) + 1) * ((sample * trainWords) / c) : 1;
  }
  const table = unigramTable(vocab.counts, Math.min(10_000_000, Math.max(1_000_000, V * 100)));

  const syn0 = new Float32Array(V * dim);
  for (let i = 0; i < syn0.length; i++) syn0[i] = (rng.next() - 0.5) / dim;
  const syn1 = new Float32Array(V * dim);

  const totalWords = epochs * trainWords;
  const started = now();
  let processed = 0;
  let nextReport = progressEvery;
  let lossSum = 0;
  let lossPairs = 0;
  let alpha = alpha0;
  const report = async (epoch: number) => {
    const seconds = (now() - started) / 1000;
    config.onProgress?.({
      wordsProcessed: processed,
      totalWords,
      epoch,
      learningRate: alpha,
      loss: lossPairs > 0 ? lossSum / lossPairs : 0,
      wordsPerSecond: seconds > 0 ? processed / seconds : 0,
    });
    lossSum = 0;
    lossPairs = 0;
    await new Promise<void>((resolve) => setTimeout(resolve, 0)); // let the UI breathe
  };

  const state: TrainState = {
    syn0,
    syn1,
    neu1e: new Float32Array(dim),
    dim,
    window,
    negative,
    table,
    keep,
    buf: new Int32Array(MAX_SENTENCE),
    alpha,
    rng,
    lossSum: 0,
    lossPairs: 0,
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const sentence of ids) {
      state.alpha = alpha;
      trainSentence(state, sentence);
      processed += sentence.length;
      alpha = Math.max(alpha0 * 1e-4, alpha0 * (1 - processed / (totalWords + 1)));
      if (processed >= nextReport) {
        nextReport = processed + progressEvery;
        lossSum = state.lossSum;
        lossPairs = state.lossPairs;
        state.lossSum = 0;
        state.lossPairs = 0;
        await report(epoch);
      }
    }
  }
  lossSum = state.lossSum;
  lossPairs = state.lossPairs;
  await report(epochs - 1);
  return new KeyedVectors(vocab.words, syn0, dim);
}

function chunk(words: readonly string[], size: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size));
  return out;
}

interface TrainState {
  readonly syn0: Float32Array;
  readonly syn1: Float32Array;
  readonly neu1e: Float32Array;
  readonly dim: number;
  readonly window: number;
  readonly negative: number;
  readonly table: Int32Array;
  readonly keep: Float64Array;
  buf: Int32Array;
  alpha: number;
  /** Base's generator, seeded by config.seed: every draw of the run comes from it. */
  readonly rng: Rng;
  lossSum: number;
  lossPairs: number;
}

/** One sentence of skip-gram with negative sampling, as word2vec.c's TrainModelThread (sg = 1, hs = 0). */
function trainSentence(st: TrainState, sentence: Int32Array): void {
  const { syn0, syn1, neu1e, dim, window, negative, table, keep, alpha } = st;
  const rng = st.rng;
  let lossSum = 0;
  let lossPairs = 0;
  if (st.buf.length < sentence.length) st.buf = new Int32Array(sentence.length);
  const buf = st.buf;
  // Subsample frequent words; the survivors form the sentence the windows run over.
  let n = 0;
  for (let i = 0; i < sentence.length; i++) {
    const w = sentence[i]!;
    if (keep[w]! >= rng.next()) buf[n++] = w;
  }
  for (let pos = 0; pos < n; pos++) {
    const word = buf[pos]!;
    const b = rng.nextUint32() % window; // shrink the window by b: the effective window is window - b
    const from = Math.max(0, pos - window + b);
    const to = Math.min(n - 1, pos + window - b);
    for (let c = from; c <= to; c++) {
      if (c === pos) continue;
      const l1 = buf[c]! * dim; // the context word's input vector predicts the centre word
      neu1e.fill(0);
      for (let d = 0; d <= negative; d++) {
        let target = word;
        let label = 1;
        if (d > 0) {
          target = table[rng.nextUint32() % table.length]!;
          if (target === word) continue;
          label = 0;
        }
        const l2 = target * dim;
        let f = 0;
        for (let k = 0; k < dim; k++) f += syn0[l1 + k]! * syn1[l2 + k]!;
        let g: number;
        if (f >= MAX_EXP) {
          g = (label - 1) * alpha;
          if (label === 0) lossSum += f;
        } else if (f < -MAX_EXP) {
          g = label * alpha;
          if (label === 1) lossSum -= f;
        } else {
          const idx = ((f + MAX_EXP) * EXP_SCALE) | 0;
          g = (label - SIGMOID[idx]!) * alpha;
          lossSum += label === 1 ? SOFTPLUS_NEG[idx]! : SOFTPLUS_NEG[EXP_BINS - 1 - idx]!;
        }
        lossPairs++;
        for (let k = 0; k < dim; k++) {
          neu1e[k]! += g * syn1[l2 + k]!;
          syn1[l2 + k]! += g * syn0[l1 + k]!;
        }
      }
      for (let k = 0; k < dim; k++) syn0[l1 + k]! += neu1e[k]!;
    }
  }
  st.lossSum += lossSum;
  st.lossPairs += lossPairs;
}
