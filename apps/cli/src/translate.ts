/**
 * `@strand/cli/translate`: the browser-safe half of `strand translate`, shared with the playground so
 * that both train the same model on the same tokens and read the same checkpoints: the corpus
 * (split, word or BPE tokenizers), the model configs, the pair adapter for the trainer's loop,
 * decoding, attention, and the checkpoint reader. Nothing here imports Node modules.
 */
export {
  buildCorpus,
  type Corpus,
  decodeTarget,
  type EncodedPair,
  encodeSource,
  encodeTarget,
  epochBatches,
  type Pair,
  padBatch,
  splitPairs,
  type TokenizerKind,
  trainTokenizer,
  words,
} from './commands/translate/data.js';
export { attentionOf, type DecodeOptions, greedyBatch, translateAll } from './commands/translate/decode.js';
export {
  type TranslateExtra,
  type TranslatorCheckpoint,
  translatorFromCheckpoint,
} from './commands/translate/format.js';
export {
  createTranslator,
  modelConfig,
  modelName,
  TRANSLATE_DEFAULTS,
  TRANSLATE_MODELS,
  type TranslateHyperparameters,
  type TranslateModelConfig,
  type TranslateModelName,
} from './commands/translate/models.js';
export {
  type Layout,
  pairData,
  pairLoss,
  pairModel,
  pairNll,
  TRANSLATE_CHECKPOINT_KIND,
} from './commands/translate/pairs.js';
