/** Character tokenizer: one id per Unicode code point seen in a corpus. */
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
import { createNormalizer, type NormalizerJSON } from './normalizers.js';
import { TOKENIZER_FORMAT, TOKENIZER_VERSION } from './pipeline.js';
import { Tokenizer } from './tokenizer.js';

export interface CharTokenizerOptions extends WrapOptions {
  /** 'unk' (default): characters outside the vocabulary become `<unk>`; 'error': they throw VocabularyError. */
  readonly unknown?: 'unk' | 'error';
  /** Applied before counting and before encoding. Default none. */
  readonly normalizer?: NormalizerJSON | null;
  /** Characters seen fewer times are left out of the vocabulary. Default 1. */
  readonly minFrequency?: number;
}

export const CharTokenizer = {
  /**
   * Builds the vocabulary from a corpus: `<pad>` 0, `<unk>` 1, `<bos>` 2, `<eos>` 3, then every character
   * (code point) in code-point order, so the same characters always get the same ids.
   * @param corpus one text, or several documents
   * @example CharTokenizer.train('hello').encodeIds('hole') // [5, 7, 6, 4]
   */
  train(corpus: string | Iterable<string>, options: CharTokenizerOptions = {}): Tokenizer {
    const { unknown = 'unk', normalizer = null, minFrequency = 1 } = options;
    checkMinFrequency(minFrequency);
    const normalize = normalizer === null ? null : createNormalizer(normalizer);
    const counts = new Map<string, number>();
    for (const document of documents(corpus)) {
      const text = normalize === null ? document : normalize.normalize(document);
      for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    const chars = [...counts].filter(([, n]) => n >= minFrequency).map(([c]) => c);
    chars.sort(compareCodePoints);
    return Tokenizer.fromJSON({
      format: TOKENIZER_FORMAT,
      version: TOKENIZER_VERSION,
      specialTokens: specialList(defaultSpecials),
      normalizer,
      preTokenizer: null,
      model: {
        type: 'CharLevel',
        vocab: [...defaultSpecials.map(() => null), ...chars],
        unkToken: unknown === 'unk' ? UNK : null,
      },
      postProcessor: wrapProcessor(options),
      decoder: { type: 'Concat' },
    });
  },
} as const;
