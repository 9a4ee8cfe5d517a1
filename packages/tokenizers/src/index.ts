// @strand/tokenizers: char, word and byte-level BPE tokenizers as a pipeline of small stages.
// Browser-safe: nothing here imports a `node:` module (file helpers live in `@strand/tokenizers/node`).

export type { BatchEncoding, BatchOptions } from './batch.js';
export type { BpeJSON } from './bpe-model.js';
export { BPETokenizer, type BpeTrainOptions, type TiktokenOptions } from './bpe-tokenizer.js';
export type { CharLevelJSON } from './char-level.js';
export { CharTokenizer, type CharTokenizerOptions } from './char-tokenizer.js';
export type { Decoder, DecoderJSON } from './decoders.js';
export type { EncodeOptions, Encoding } from './encode.js';
// Errors are @strand/base's (re-exported here); see packages/base/README.md for the hierarchy and codes.
export {
  ConfigError,
  FormatError,
  type FormatLocation,
  IdOutOfRangeError,
  InputError,
  SequenceTooLongError,
  StrandError,
  StreamEndedError,
  TokenizerError,
  TokenizerFormatError,
  VocabularyError,
} from './errors.js';
export { toHuggingFace, toTiktoken } from './huggingface-export.js';
export type { Model, ModelJSON } from './model.js';
export type { Normalizer, NormalizerJSON } from './normalizers.js';
export { type PatternName, patterns, translatePattern } from './patterns.js';
export type { Pipeline, TokenizerJSON } from './pipeline.js';
export type { PostProcessor, PostProcessorJSON } from './post-processors.js';
export type { PreTokenizer, PreTokenizerJSON } from './pre-tokenizers.js';
export type { AllowedSpecial, SpecialToken } from './special-tokens.js';
export { StreamEncoder } from './stream.js';
export type { TiktokenBpe } from './tiktoken.js';
export { type DecodeOptions, Tokenizer } from './tokenizer.js';
export type { WordLevelJSON } from './word-level.js';
export { WordTokenizer, type WordTokenizerOptions } from './word-tokenizer.js';
