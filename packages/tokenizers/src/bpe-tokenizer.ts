/**
 * Byte-level BPE tokenizers: trained on a corpus, or loaded from tiktoken ranks or a HuggingFace
 * tokenizer.json (see huggingface.ts). There is never an `<unk>`: every byte is a token.
 */
import type { BpeJSON } from './bpe-model.js';
import { trainMerges } from './bpe-trainer.js';
import { toByteLevel } from './byte-level.js';
import {
  checkMinFrequency,
  defaultSpecials,
  documents,
  specialList,
  type WrapOptions,
  wrapProcessor,
} from './defaults.js';
import { ConfigError, FormatError } from './errors.js';
import { fromHuggingFace } from './huggingface.js';
import { type PatternName, resolvePattern } from './patterns.js';
import { TOKENIZER_FORMAT, TOKENIZER_VERSION, type TokenizerJSON } from './pipeline.js';
import { createPreTokenizer } from './pre-tokenizers.js';
import { parseCompressedRanks, parseTiktokenFile, type TiktokenBpe } from './tiktoken.js';
import { Tokenizer } from './tokenizer.js';
import { utf8ByteString } from './utf8.js';

export interface BpeTrainOptions extends WrapOptions {
  /** Final vocabulary size: special tokens + 256 bytes + merges. Training stops early if pairs run out. */
  readonly vocabSize: number;
  /** Pre-tokenization pattern: a preset name or JavaScript RegExp source. Default 'cl100k'. */
  readonly pattern?: PatternName | (string & {});
  /** Special tokens, given ids 0, 1, ... Default Strand's ['<pad>', '<unk>', '<bos>', '<eos>'] (`<unk>` stays unused: every byte is a token). */
  readonly specialTokens?: readonly string[];
  /** Stop merging when the most frequent pair occurs fewer times. Default 2. */
  readonly minFrequency?: number;
}

export interface TiktokenOptions {
  /** Pre-tokenization pattern for a `.tiktoken` file (which has none): a preset name or RegExp source. */
  readonly pattern?: PatternName | (string & {});
  /** Special tokens and their ids, e.g. { '<|endoftext|>': 100257 }. */
  readonly specialTokens?: Readonly<Record<string, number>>;
  /** File name for error messages. */
  readonly source?: string;
}

export const BPETokenizer = {
  /**
   * Trains byte-level BPE. Ids: special tokens, then the 256 bytes in byte order, then merges in the order
   * learned (ties: see bpe-trainer.ts). `decode(encodeIds(s)) === s` for every well-formed string.
   * @example BPETokenizer.train(text, { vocabSize: 1000 }).encodeIds('hello')
   */
  train(corpus: string | Iterable<string>, options: BpeTrainOptions): Tokenizer {
    const { vocabSize, pattern = 'cl100k', minFrequency = 2 } = options;
    const specials = specialList(options.specialTokens ?? defaultSpecials);
    checkMinFrequency(minFrequency);
    const base = specials.length + 256;
    if (!Number.isSafeInteger(vocabSize) || vocabSize < base) {
      throw new ConfigError(
        `vocabSize must be an integer >= ${base} (${specials.length} special tokens + 256 bytes), got ${vocabSize}.`,
        'vocabSize',
      );
    }
    const preTokenizer = { type: 'Split', pattern: resolvePattern(pattern), dropWhitespace: false } as const;
    const split = createPreTokenizer(preTokenizer);
    const counts = new Map<string, number>();
    for (const document of documents(corpus)) {
      split.split(document, (piece) => counts.set(piece, (counts.get(piece) ?? 0) + 1));
    }
    const byteCounts = new Map<string, number>();
    for (const [piece, n] of counts) {
      const bytes = utf8ByteString(piece);
      byteCounts.set(bytes, (byteCounts.get(bytes) ?? 0) + n);
    }
    const { merges, symbols } = trainMerges(byteCounts, vocabSize - base, minFrequency);
    const text = (symbol: number) => toByteLevel(symbols[symbol]!);
    const model: BpeJSON = {
      type: 'BPE',
      mode: 'merges',
      vocab: [...specials.map(() => null), ...symbols.map((s) => toByteLevel(s))],
      merges: merges.map(([a, b]) => [text(a), text(b)] as const),
      ignoreMerges: false,
    };
    return Tokenizer.fromJSON({
      format: TOKENIZER_FORMAT,
      version: TOKENIZER_VERSION,
      specialTokens: specials,
      normalizer: null,
      preTokenizer,
      model,
      postProcessor: wrapProcessor(options),
      decoder: { type: 'ByteLevel' },
    });
  },

  /**
   * Loads tiktoken ranks: the object js-tiktoken ships (`import cl100k from 'js-tiktoken/ranks/cl100k_base'`,
   * pattern and special tokens included), or the text of a `.tiktoken` file plus `options.pattern`.
   */
  fromTiktoken(ranks: TiktokenBpe | string, options: TiktokenOptions = {}): Tokenizer {
    let bytes: (string | undefined)[];
    let pattern: string;
    let special: Readonly<Record<string, number>>;
    if (typeof ranks === 'string') {
      if (options.pattern === undefined) {
        throw new ConfigError(
          "a .tiktoken file has no pattern: pass options.pattern (e.g. 'cl100k').",
          'pattern',
        );
      }
      bytes = parseTiktokenFile(ranks, options.source);
      pattern = resolvePattern(options.pattern);
      special = options.specialTokens ?? {};
    } else {
      bytes = parseCompressedRanks(ranks.bpe_ranks, options.source);
      pattern = options.pattern === undefined ? ranks.pat_str : resolvePattern(options.pattern);
      special = { ...ranks.special_tokens, ...options.specialTokens };
    }
    const json: TokenizerJSON = {
      format: TOKENIZER_FORMAT,
      version: TOKENIZER_VERSION,
      specialTokens: Object.entries(special).map(([content, id]) => ({ id, content })),
      normalizer: null,
      preTokenizer: { type: 'Split', pattern, dropWhitespace: false },
      model: {
        type: 'BPE',
        mode: 'ranks',
        vocab: Array.from(bytes, (b) => (b === undefined ? null : toByteLevel(b))),
      },
      postProcessor: null,
      decoder: { type: 'ByteLevel' },
    };
    try {
      return Tokenizer.fromJSON(json);
    } catch (error) {
      // Problems found while building (a byte without a token, a duplicate) name the file too.
      if (error instanceof FormatError && options.source !== undefined)
        throw error.withSource(options.source);
      throw error;
    }
  },

  /** Loads a HuggingFace tokenizer.json (byte-level BPE), parsed or as text. */
  fromHuggingFace(json: unknown, source?: string): Tokenizer {
    return fromHuggingFace(json, source);
  },
} as const;
