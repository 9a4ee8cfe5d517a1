/** Word tokenizer: normalize, split into words and punctuation, one id per frequent word. */
import {
  checkMinFrequency,
  compareCodePoints,
  defaultSpecials,
  documents,
  specialList,
  UNK,
  type WrapOptions,
  wrapProcessor,
} from './defaults.js';
import { ConfigError } from './errors.js';
import { createNormalizer, type NormalizerJSON } from './normalizers.js';
import { patterns } from './patterns.js';
import { TOKENIZER_FORMAT, TOKENIZER_VERSION } from './pipeline.js';
import { createPreTokenizer, type PreTokenizerJSON } from './pre-tokenizers.js';
import { Tokenizer } from './tokenizer.js';

export interface WordTokenizerOptions extends WrapOptions {
  /** Unicode normalization form applied first. Default 'NFC'. */
  readonly normalization?: 'NFC' | 'NFKC' | null;
  /** Lowercase after normalization. Default false. */
  readonly lowercase?: boolean;
  /** Pre-tokenization pattern (JavaScript RegExp source); whitespace between matches is dropped. Default `patterns.words`. */
  readonly pattern?: string;
  /** Words seen fewer times are left out (they encode as `<unk>`). Default 1. */
  readonly minFrequency?: number;
  /** Largest vocabulary, the 4 special tokens included; the most frequent words are kept. Default unlimited. */
  readonly maxSize?: number;
  /** 'unk' (default): unknown words become `<unk>`; 'error': they throw VocabularyError. */
  readonly unknown?: 'unk' | 'error';
}

export const WordTokenizer = {
  /**
   * Builds the vocabulary from a corpus: `<pad>` 0, `<unk>` 1, `<bos>` 2, `<eos>` 3, then words by
   * descending frequency; equally frequent words are ordered by code point, so the result is deterministic.
   * @example WordTokenizer.train('the cat. the dog.').encode('the dog').tokens // ['the', 'dog']
   */
  train(corpus: string | Iterable<string>, options: WordTokenizerOptions = {}): Tokenizer {
    const { normalization = 'NFC', lowercase = false, pattern = patterns.words } = options;
    const { minFrequency = 1, maxSize = Number.POSITIVE_INFINITY, unknown = 'unk' } = options;
    checkMinFrequency(minFrequency);
    if (
      maxSize !== Number.POSITIVE_INFINITY &&
      (!Number.isSafeInteger(maxSize) || maxSize < defaultSpecials.length)
    ) {
      throw new ConfigError(
        `maxSize must be an integer >= ${defaultSpecials.length} (the special tokens), got ${maxSize}.`,
        'maxSize',
      );
    }
    const parts: NormalizerJSON[] = [];
    if (normalization !== null) parts.push({ type: normalization });
    if (lowercase) parts.push({ type: 'Lowercase' });
    const normalizer: NormalizerJSON | null =
      parts.length === 0 ? null : parts.length === 1 ? parts[0]! : { type: 'Sequence', normalizers: parts };
    const preTokenizer: PreTokenizerJSON = { type: 'Split', pattern, dropWhitespace: true };

    const normalize = normalizer === null ? null : createNormalizer(normalizer);
    const split = createPreTokenizer(preTokenizer);
    const counts = new Map<string, number>();
    for (const document of documents(corpus)) {
      const text = normalize === null ? document : normalize.normalize(document);
      split.split(text, (word) => counts.set(word, (counts.get(word) ?? 0) + 1));
    }
    const words = [...counts].filter(([, n]) => n >= minFrequency);
    words.sort(([a, na], [b, nb]) => nb - na || compareCodePoints(a, b));
    const kept = words.slice(0, maxSize - defaultSpecials.length).map(([word]) => word);

    return Tokenizer.fromJSON({
      format: TOKENIZER_FORMAT,
      version: TOKENIZER_VERSION,
      specialTokens: specialList(defaultSpecials),
      normalizer,
      preTokenizer,
      model: {
        type: 'WordLevel',
        vocab: [...defaultSpecials.map(() => null), ...kept],
        unkToken: unknown === 'unk' ? UNK : null,
      },
      postProcessor: wrapProcessor(options),
      decoder: { type: 'Words' },
    });
  },
} as const;
