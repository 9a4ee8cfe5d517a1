export {
  CHECKPOINT_FORMAT,
  type Checkpoint,
  type CheckpointMeta,
  decodeCheckpoint,
  encodeCheckpoint,
  parseCheckpointMeta,
} from './checkpoint/format.js';
export { restoreModel } from './checkpoint/restore.js';
export { type CheckpointStore, loadLatest, memoryStore } from './checkpoint/store.js';
export {
  type BeamSearchOptions,
  beamSearch,
  beamSearchAsync,
  type Hypothesis,
  lengthPenalty,
} from './decoding/beam-search.js';
export {
  type GenerateOptions,
  type GreedyOptions,
  generate,
  greedy,
  greedyAsync,
  sample,
  sampleAsync,
} from './decoding/generate.js';
export {
  argmax,
  chooseToken,
  resolveSampling,
  type SamplingOptions,
  samplingDistribution,
} from './decoding/logits.js';
export { type AsyncStepper, createStepper, createStepperAsync, type Stepper } from './decoding/stepper.js';
export {
  type Batch,
  type DataSource,
  type LabelledSequence,
  labelledData,
  type StreamDataOptions,
  streamData,
  windowData,
} from './loop/data.js';
export {
  lmEvaluator,
  lmEvaluatorAsync,
  type StreamLossOptions,
  type StreamLossResult,
  streamLoss,
  streamLossAsync,
} from './loop/evaluate.js';
export { type LossFn, tokenCrossEntropy } from './loop/loss.js';
export {
  type BatchEndEvent,
  type CheckpointOptions,
  type EarlyStopping,
  type EvalEndEvent,
  type StopReason,
  type TrainCallbacks,
  type TrainOptions,
  type TrainResult,
  train,
} from './loop/train.js';
export {
  type BinaryCrossEntropyOptions,
  type BinaryCrossEntropyReduction,
  binaryCrossEntropy,
} from './losses/binary-cross-entropy.js';
export {
  type CrossEntropyOptions,
  type CrossEntropyReduction,
  crossEntropy,
  validateTargets,
} from './losses/cross-entropy.js';
export { type MseOptions, meanSquaredError } from './losses/mse.js';
export {
  AccuracyMeter,
  type AccuracyOptions,
  type Counts,
  sequenceAccuracy,
  tokenAccuracy,
} from './metrics/accuracy.js';
export {
  type ClassScores,
  type ConfusedPair,
  ConfusionMatrix,
  type ConfusionMatrixJSON,
} from './metrics/confusion.js';
export { nllPerStep, type StepNll, StepNllMeter } from './metrics/step-nll.js';
export { bitsPerCharacter, MeanMeter, type MeanState, perplexity } from './metrics/summary.js';
export type {
  AsyncSequenceModel,
  AutoregressiveModel,
  ForwardOptions,
  ModelConfig,
  TrainableModel,
} from './model.js';
export {
  type Pooling,
  SequenceClassifier,
  type SequenceClassifierConfig,
  type SequenceClassifierParams,
  sequenceClassifier,
} from './models/classifier.js';
export {
  LanguageModel,
  type LanguageModelConfig,
  type LanguageModelParams,
  languageModel,
} from './models/language-model.js';
export { type LogProbOptions, sequenceLogProbs, sequenceLogProbsAsync } from './models/log-prob.js';
export type { CellKind, RecurrentConfig } from './models/recurrent.js';
export { createModel, type ModelFactory, modelKinds, registerModel } from './models/registry.js';
export {
  SequenceTagger,
  type SequenceTaggerConfig,
  type SequenceTaggerParams,
  sequenceTagger,
} from './models/tagger.js';
export { type AdamConfig, adam, adamw } from './optim/adam.js';
export type { DecayFilter } from './optim/base.js';
export {
  type ClipGradNormOptions,
  type ClipGradNormResult,
  clipGradNorm,
  clipGradNormAsync,
  clipGradValue,
  gradNorm,
  gradNormAsync,
} from './optim/clip.js';
export { assertFinite, checkFiniteGrads, checkFiniteGradsAsync, type FiniteCheck } from './optim/finite.js';
export { type OneCycleConfig, oneCycle } from './optim/one-cycle.js';
export { type ReduceOnPlateauConfig, reduceOnPlateau } from './optim/plateau.js';
export { type RmspropConfig, rmsprop } from './optim/rmsprop.js';
export {
  type CosineAnnealingConfig,
  constantLr,
  cosineAnnealing,
  exponentialLr,
  functionLr,
  type LinearLrConfig,
  type LinearWarmupConfig,
  linearLr,
  linearWarmup,
  type StepLrConfig,
  stepLr,
  type WarmupCosineConfig,
  warmupCosine,
} from './optim/schedulers.js';
export { type SgdConfig, sgd } from './optim/sgd.js';
export type { Optimizer, OptimizerState, Scheduler, SchedulerState } from './optim/types.js';
