/**
 * @strand/data: Strand's data sets as plain data (strings, records, Int32Arrays), without tensors.
 * Browser-safe: parsers take text or bytes; `@strand/data/node` adds loaders that find the files.
 */
export { type BucketBatchesOptions, bucketBatches } from './batching/buckets.js';
export { type LmChunk, type LmStreams, type LmStreamsOptions, lmStreams } from './batching/lm-streams.js';
export { type PadBatchOptions, type PaddedBatch, padBatch } from './batching/pad.js';
export { type RandomWindowsOptions, randomWindows } from './batching/random-windows.js';
export { shuffledIndices } from './batching/shuffle.js';
export { type SplitItemsOptions, type SplitTextOptions, splitItems, splitText } from './batching/split.js';
export { DataNotFoundError, DownloadError } from './errors.js';
export { type FetchOptions, fetchBytes, fetchText, readFileBytes, readFileText } from './fetch.js';
export {
  normalizeString,
  type ParseEngFraOptions,
  parseEngFra,
  type SentencePair,
  serializeEngFra,
} from './readers/eng-fra.js';
export {
  type Chorale,
  JSB_SPLITS,
  type JsbChorales,
  type JsbSplit,
  PIANO_KEYS,
  PIANO_MAX_PITCH,
  PIANO_MIN_PITCH,
  parseJsbChorales,
  pianoRoll,
  serializeJsbChorales,
} from './readers/jsb-chorales.js';
export {
  labelFromFileName,
  type NamedInput,
  type NameExample,
  type NamesData,
  type ParseNamesOptions,
  parseNames,
  parseNamesFile,
  serializeNamesFile,
  unicodeToAscii,
} from './readers/names.js';
export {
  corpusFromFileName,
  type ParseSentimentOptions,
  parseSentiment,
  parseSentimentFile,
  type SentimentExample,
  serializeSentiment,
} from './readers/sentiment.js';
export { charVocabulary, type ParseTextOptions, parseText } from './readers/shakespeare.js';
export type { ParseOptions, TextInput } from './readers/text.js';
export {
  parseUd,
  toConllu,
  UD_SPLITS,
  type UdSentence,
  type UdSplit,
  type UdToken,
  UPOS_TAGS,
  type Upos,
  udSplitOf,
} from './readers/ud.js';
