/**
 * An n-gram language model over words: training, scoring, perplexity and sampling. Sentences are
 * padded with one `<bos>` and one `<eos>` (KenLM's `<s>` and `</s>`); `<eos>` is a predicted event,
 * `<bos>` is not. Ids follow Strand's convention (`<pad>`=0 `<unk>`=1 `<bos>`=2 `<eos>`=3, see
 * packages/base/README.md); `<pad>` never occurs in a sentence and has probability 0.
 */
import {
  BOS,
  BOS_ID,
  EOS,
  EOS_ID,
  InputError,
  nonNegativeInteger,
  PAD,
  PAD_ID,
  perplexityFromLogProb,
  positiveNumber,
  Rng,
  type SampleOptions,
  type Sequence,
  type SequenceModel,
  type Vocabulary,
} from '@strand/base';
import { isNeverPredicted, predictedWords } from './ngram-counts.js';
import type { NgramLevel } from './ngram-level.js';
import { type NgramTables, ngramLogProb } from './ngram-query.js';
import type { NgramEstimate, NgramSmoothing } from './ngram-smoothing.js';

/** A sentence as words, or as ids of the model's vocabulary. */
export type Sentence = readonly string[] | Sequence;

export interface NgramModelData extends NgramEstimate {
  readonly order: number;
  readonly vocabulary: Vocabulary;
  /** How it was estimated; `arpa` for a model read from an ARPA file. */
  readonly smoothing: NgramSmoothing | { readonly kind: 'arpa' };
  readonly levels: readonly NgramLevel[];
}

export interface NgramEvaluation {
  /** Σ ln P over all predicted events. */
  readonly logProb: number;
  /** Predicted events: words plus one `<eos>` per sentence. */
  readonly events: number;
  /** Words not in the vocabulary (scored as `<unk>`). */
  readonly oov: number;
  readonly perplexity: number;
}

export interface GenerateOptions extends SampleOptions {
  /** Words to continue (the sentence start is implied). */
  readonly prefix?: readonly string[];
  /** Stop after this many generated words if `<eos>` has not come. Default 100. */
  readonly maxLength?: number;
}

export class NgramLanguageModel implements SequenceModel {
  readonly order: number;
  readonly vocabulary: Vocabulary;
  readonly smoothing: NgramModelData['smoothing'];
  readonly data: NgramModelData;
  private readonly tables: NgramTables;
  private buffer = new Int32Array(256);

  constructor(data: NgramModelData) {
    this.data = data;
    this.order = data.order;
    this.vocabulary = data.vocabulary;
    this.smoothing = data.smoothing;
    const alpha = data.smoothing.kind === 'stupid-backoff' ? (data.smoothing.alpha ?? 0.4) : 1;
    this.tables = {
      order: data.order,
      levels: data.levels,
      logProb: data.logProb,
      backoff: data.backoff,
      queryKind: data.queryKind,
      logAlpha: Math.log(alpha),
      logUniform: -Math.log(predictedWords(data.vocabulary.size)),
    };
  }

  /** Number of n-grams of each order (index 0 = unigrams, `<pad>` not counted), as an ARPA header lists them. */
  get ngramCounts(): number[] {
    return this.data.levels.map((l, k) => {
      const lp = this.data.logProb[k]!;
      let n = 0;
      for (let id = k === 0 ? PAD_ID + 1 : 0; id < l.size; id++) if (!Number.isNaN(lp[id]!)) n++;
      return n;
    });
  }

  /** Approximate bytes held by the model's typed arrays. */
  get byteLength(): number {
    let n = 0;
    for (const l of this.data.levels) n += l.byteLength;
    for (const a of this.data.logProb) n += a.byteLength;
    for (const a of this.data.backoff) n += a.byteLength;
    return n;
  }

  /** Word ids of a sentence; unknown words become `<unk>`; boundary markers are rejected. */
  encode(sentence: Sentence, label = 'sentence'): Int32Array {
    const v = this.vocabulary.size;
    const out = new Int32Array(sentence.length);
    for (let i = 0; i < sentence.length; i++) {
      const t = sentence[i]!;
      const id = typeof t === 'string' ? this.vocabulary.id(t) : t;
      if (!Number.isInteger(id) || id < 0 || id >= v || id === PAD_ID || id === BOS_ID || id === EOS_ID) {
        throw new InputError({
          what: `token at position ${i} of ${label}`,
          expected: `a word, or an id in [0, ${v}) other than ${PAD_ID} (${PAD}), ${BOS_ID} (${BOS}) and ${EOS_ID} (${EOS})`,
          received: typeof t === 'string' ? `"${t}"` : String(t),
          hint:
            id === BOS_ID || id === EOS_ID
              ? 'the model adds sentence boundaries itself'
              : id === PAD_ID
                ? 'padding is not part of a sentence'
                : undefined,
        });
      }
      out[i] = id;
    }
    return out;
  }

  /** ln P(word | context). The context may start with `<bos>`; only its last order - 1 words matter. */
  wordLogProb(context: Sentence, word: string | number): number {
    const ctx = this.encodeContext(context);
    const w = word === EOS || word === EOS_ID ? EOS_ID : this.encode([word] as Sentence, 'word')[0]!;
    return ngramLogProb(this.tables, ctx, ctx.length, ctx.length, w);
  }

  /** ln P of each predicted event of the sentence: its words, then `<eos>`. */
  wordLogProbs(sentence: Sentence): Float64Array {
    const n = this.fill(sentence);
    const out = new Float64Array(n - 1);
    for (let i = 1; i < n; i++) out[i - 1] = ngramLogProb(this.tables, this.buffer, i, i, this.buffer[i]!);
    return out;
  }

  /** ln P(sentence), including the end-of-sentence event. */
  logProb(sentence: Sentence): number {
    const n = this.fill(sentence);
    let lp = 0;
    for (let i = 1; i < n; i++) lp += ngramLogProb(this.tables, this.buffer, i, i, this.buffer[i]!);
    return lp;
  }

  evaluate(sentences: readonly Sentence[]): NgramEvaluation {
    let logProb = 0;
    let events = 0;
    let oov = 0;
    for (const s of sentences) {
      logProb += this.logProb(s);
      events += s.length + 1;
      for (const t of s) if (typeof t === 'string' && !this.vocabulary.has(t)) oov++;
    }
    return { logProb, events, oov, perplexity: perplexityFromLogProb(logProb, events) };
  }

  /** Per-event perplexity (words and `<eos>`, unknown words included as `<unk>`, as KenLM reports). */
  perplexity(sentences: readonly Sentence[]): number {
    if (sentences.length === 0) {
      throw new InputError({
        what: 'sentences',
        expected: 'a non-empty array',
        received: 'an empty array',
      });
    }
    return this.evaluate(sentences).perplexity;
  }

  /**
   * P(w | context) for every id w (index = id; `<pad>` and `<bos>` get 0). Sums to 1 for every method but
   * stupid backoff.
   */
  distribution(context: Sentence): Float64Array {
    const ctx = this.encodeContext(context);
    return this.distributionOf(ctx, ctx.length);
  }

  /** Samples word ids until `<eos>` (not included) or `length` words. */
  sample(length: number, options: SampleOptions = {}): Int32Array {
    nonNegativeInteger(length, 'length');
    return Int32Array.from(this.generateIds([], length, options));
  }

  /** Generates words continuing `prefix`, until `<eos>` or `maxLength` words. */
  generate(options: GenerateOptions = {}): string[] {
    const prefix = this.encode(options.prefix ?? [], 'prefix');
    const ids = this.generateIds(Array.from(prefix), options.maxLength ?? 100, options);
    return this.vocabulary.decode(ids);
  }

  private generateIds(prefix: number[], maxLength: number, options: SampleOptions): number[] {
    const temperature = positiveNumber(options.temperature ?? 1, 'temperature');
    const rng = new Rng(options.seed ?? 0);
    const ctx = new Int32Array(prefix.length + maxLength + 1);
    ctx[0] = BOS_ID;
    ctx.set(prefix, 1);
    let n = prefix.length + 1;
    const out: number[] = [];
    while (out.length < maxLength) {
      const p = this.distributionOf(ctx, n);
      if (temperature !== 1) for (let i = 0; i < p.length; i++) p[i] = p[i]! ** (1 / temperature);
      const w = rng.categorical(p);
      if (w === EOS_ID) break;
      out.push(w);
      ctx[n++] = w;
    }
    return out;
  }

  private distributionOf(ctx: Int32Array, end: number): Float64Array {
    const v = this.vocabulary.size;
    const p = new Float64Array(v);
    for (let w = 0; w < v; w++) {
      if (!isNeverPredicted(w)) p[w] = Math.exp(ngramLogProb(this.tables, ctx, end, end, w));
    }
    return p;
  }

  private encodeContext(context: Sentence): Int32Array {
    const startsWithBos = context.length > 0 && (context[0] === BOS || context[0] === BOS_ID);
    const body = startsWithBos ? context.slice(1) : context;
    const ids = this.encode(body as Sentence, 'context');
    if (!startsWithBos) return ids;
    const out = new Int32Array(ids.length + 1);
    out[0] = BOS_ID;
    out.set(ids, 1);
    return out;
  }

  /** Writes <bos> sentence <eos> into the buffer; returns its length. */
  private fill(sentence: Sentence): number {
    const ids = this.encode(sentence);
    const n = ids.length + 2;
    if (this.buffer.length < n) this.buffer = new Int32Array(n * 2);
    this.buffer[0] = BOS_ID;
    this.buffer.set(ids, 1);
    this.buffer[n - 1] = EOS_ID;
    return n;
  }
}
