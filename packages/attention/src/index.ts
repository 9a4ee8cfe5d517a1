export { type AttentionTableOptions, attentionTable } from './attention-table.js';
export {
  type DecoderLayerOptions,
  type DecoderLayerParams,
  type DecoderLayerResult,
  decoderLayer,
  initDecoderLayer,
  type TransformerDecoderLayer,
} from './decoder-layer.js';
export {
  type ConditionedState,
  conditionedOn,
  type DecoderStep,
  disposeTensors,
  type EncodeOptions,
  type EncoderDecoderModel,
  mapTensors,
  type Seq2SeqOutput,
  type TeacherForcingOptions,
} from './encoder-decoder.js';
export {
  type EncoderLayerOptions,
  type EncoderLayerParams,
  encoderLayer,
  initEncoderLayer,
  type LayerResult,
  type TransformerEncoderLayer,
  type TransformerLayerConfig,
  type TransformerLayerSpec,
  transformerLayerSpec,
} from './encoder-layer.js';
export {
  type Activation,
  type FeedForwardOptions,
  type FeedForwardParams,
  feedForward,
  gelu,
  initFeedForward,
} from './feed-forward.js';
export {
  asMask,
  causalMask,
  fromTorchMask,
  keyPaddingToAttention,
  lengthMask,
  maskedSoftmax,
  toTorchMask,
} from './mask.js';
export {
  initMultiHeadAttention,
  type KvCache,
  type MultiHeadAttention,
  type MultiHeadAttentionConfig,
  type MultiHeadAttentionParams,
  type MultiHeadAttentionSpec,
  type MultiHeadOptions,
  type MultiHeadResult,
  multiHeadAttention,
  multiHeadAttentionSpec,
  projectKeyValue,
} from './multi-head.js';
export {
  applyRope,
  initLearnedPositions,
  type LearnedPositionsParams,
  learnedPositions,
  type RopeOptions,
  type RopeStyle,
  sinusoidalEncoding,
} from './positional.js';
export {
  decoderLayerFromTorch,
  decoderLayerToTorch,
  describeStateDict,
  encoderLayerFromTorch,
  encoderLayerToTorch,
  multiHeadAttentionFromTorch,
  multiHeadAttentionToTorch,
  parseStateDictJson,
  stateDictFromJson,
  stateDictToJson,
  type TorchLayerOptions,
  type TorchStateDict,
} from './pytorch.js';
export { registerAttentionModels } from './register.js';
export {
  type AttentionOptions,
  type AttentionResult,
  scaledDotProductAttention,
} from './scaled-dot-product.js';
export {
  type AdditiveScoreParams,
  additiveScore,
  dotScore,
  type GeneralScoreParams,
  generalScore,
  initAdditiveScore,
  initGeneralScore,
  projectKeys,
  type ScoreOptions,
  type ScoreResult,
} from './scores.js';
export {
  runTeacherForced,
  Seq2Seq,
  type Seq2SeqAttention,
  type Seq2SeqConfig,
  type Seq2SeqMemory,
  type Seq2SeqSpec,
  type Seq2SeqState,
  seq2seqConfig,
} from './seq2seq.js';
export {
  type PositionKind,
  TransformerLm,
  type TransformerLmConfig,
  type TransformerLmParams,
  type TransformerLmSpec,
  type TransformerLmState,
  transformerLmConfig,
} from './transformer-lm.js';
export {
  TransformerSeq2Seq,
  type TransformerSeq2SeqConfig,
  type TransformerSeq2SeqMemory,
  type TransformerSeq2SeqParams,
  type TransformerSeq2SeqSpec,
  type TransformerSeq2SeqState,
} from './transformer-seq2seq.js';
export {
  initTransformerDecoder,
  initTransformerEncoder,
  type TransformerDecoder,
  type TransformerDecoderParams,
  type TransformerEncoder,
  type TransformerEncoderParams,
  type TransformerStackConfig,
  transformerDecoder,
  transformerDecoderFromTorch,
  transformerEncoder,
  transformerEncoderFromTorch,
  transformerStackToTorch,
} from './transformer-stack.js';
