export {
  type EmbeddingConfig,
  type EmbeddingParams,
  type EmbedOptions,
  embed,
  initEmbedding,
} from './embedding.js';
// Errors are @strand/base's (re-exported here); see packages/base/README.md for the hierarchy and codes.
export {
  ConfigError,
  FormatError,
  IdOutOfRangeError,
  NonFiniteError,
  StrandError,
  VectorFileError,
  VocabularyError,
} from './errors.js';
export { VECTOR_FORMATS, type VectorFormat } from './io/format.js';
export type { DuplicatePolicy } from './io/matrix-builder.js';
export type { IncrementalParser, ParserOptions } from './io/text-parser.js';
export { formatVectors, parseVectors, type ReadVectorsOptions, vectorParser } from './io/vectors.js';
export { KeyedVectors, type MostSimilarOptions, type Neighbour } from './keyed-vectors.js';
export { type Ids, oneHot } from './one-hot.js';
export { type FromVectorsOptions, type FromVectorsResult, initEmbeddingFromVectors } from './pretrained.js';
export { type SkipGramConfig, type SkipGramProgress, trainSkipGram } from './train/skipgram.js';
export { type ParseVocabularyOptions, parseVocabulary, VOCABULARY_FORMAT } from './vocabulary-json.js';
