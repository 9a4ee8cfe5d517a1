// @strand/markov: n-gram language models, Markov chains, hidden Markov models and linear
// dynamical systems on typed arrays. No tensor dependency; Node-only file helpers live in
// `@strand/markov/node`.

// One interface for every sequence model, from @strand/base (re-exported for compatibility)
export type { SampleOptions, Sequence, SequenceModel } from '@strand/base';
export type { ArpaReadOptions } from './arpa-read.js';
export { parseArpa } from './arpa-read.js';
export type { ArpaWriteOptions } from './arpa-write.js';
export { toArpa } from './arpa-write.js';
export type { BaumWelchOptions, BaumWelchResult } from './baum-welch.js';
export { baumWelch } from './baum-welch.js';
export type { ConlluSentence, ConlluToken, TaggedSentence } from './conllu.js';
// Part-of-speech tagging
export { parseConllu, taggedSentences } from './conllu.js';
export type {
  CategoricalEmission,
  CovarianceType,
  Emission,
  Frames,
  GaussianEmission,
  GaussianEmissionInit,
  GmmEmission,
  GmmEmissionInit,
  Observations,
} from './emission.js';
// Hidden Markov models
export {
  categoricalEmission,
  emissionParameterCount,
  gaussianEmission,
  gmmEmission,
  toFrames,
} from './emission.js';
// Errors: markov's subclasses of @strand/base's hierarchy
export type { TextLocation } from './errors.js';
export { ArpaParseError, ConlluParseError, NotPositiveDefiniteError } from './errors.js';
export type { Hmm, HmmInit, HmmParameter } from './hmm.js';
export { createHmm } from './hmm.js';
export type { ForwardBackwardResult, HmmCore } from './hmm-inference.js';
export {
  backwardLog,
  forwardBackward,
  forwardLog,
  hmmLogLikelihood,
  hmmPosteriors,
} from './hmm-inference.js';
export type { EmissionSpec, FitHmmOptions, InitialiseOptions } from './hmm-init.js';
export { fitHmm, initialiseHmm } from './hmm-init.js';
export type { HmmSample } from './hmm-sample.js';
export { hmmSequenceModel, sampleHmm } from './hmm-sample.js';
export type { SupervisedOptions } from './hmm-supervised.js';
export { fitHmmSupervised } from './hmm-supervised.js';
export type { KalmanFilterResult, SmootherResult } from './kalman.js';
export { kalmanFilter, rtsSmoother } from './kalman.js';
export type { Lds, LdsInit } from './lds.js';
// Linear dynamical systems
export { createLds, sampleLds } from './lds.js';
export type { LdsEmOptions, LdsEmResult, LdsParameter } from './lds-em.js';
export { fitLds } from './lds-em.js';
// Small dense linear algebra used by the Gaussian models
export { cholesky, logSumExp } from './linalg.js';
export type { FitMarkovChainOptions, MarkovChainData, MarkovChainInit } from './markov-chain.js';
// Markov chains
export { createMarkovChain, fitMarkovChain, MarkovChain } from './markov-chain.js';
export { aic, bic, hmmParameterCount } from './model-selection.js';
export { NgramLevel } from './ngram-level.js';
export type { GenerateOptions, NgramEvaluation, NgramModelData, Sentence } from './ngram-model.js';
export { NgramLanguageModel } from './ngram-model.js';
export type { NgramEstimate, NgramQueryKind, NgramSmoothing } from './ngram-smoothing.js';
export type { NgramTrainOptions } from './ngram-train.js';
export { trainNgramLm } from './ngram-train.js';
export type { PosTagger, PosTaggerOptions, TaggerEvaluation } from './pos-tagger.js';
export { evaluateTagger, tagSentence, trainPosTagger } from './pos-tagger.js';
export type { UnknownWordModel } from './unknown-words.js';
export { wordShape } from './unknown-words.js';
export type { ViterbiResult } from './viterbi.js';
export { viterbi, viterbiCore } from './viterbi.js';
