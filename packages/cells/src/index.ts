export { type Bidirectional, bidirectional, type MergeMode } from './bidirectional.js';
export { type Cell, type CellState, stateSizes, zeroCellState } from './cell.js';
export { foldInputProjection, lookupRows, projectedWidth, projectTokens } from './fold.js';
export { type GradientNorms, gradientNormsThroughTime } from './gradient-norms.js';
export { type GruCell, type GruConfig, type GruSpec, type GruWeights, gru, gruStep } from './gru.js';
export type { WeightLike } from './interop-common.js';
export {
  fromKeras,
  type KerasCellConfig,
  type KerasWeights,
  toKeras,
  toKerasWeightList,
} from './interop-keras.js';
export { fromPyTorch, PYTORCH_MODES, type PyTorchRnnConfig, toPyTorch } from './interop-pytorch.js';
export {
  gradientsFromPyTorch,
  gradientsToPyTorch,
  type PyTorchName,
  pyTorchNames,
  stateFromPyTorch,
  stateToPyTorch,
} from './interop-pytorch-names.js';
export type { GradientMode, Layer, LayerRun, RunContext } from './layer.js';
export { type LstmCell, type LstmConfig, type LstmSpec, type LstmWeights, lstm, lstmStep } from './lstm.js';
export type { Recurrent, StateOf } from './recurrent.js';
export { type RnnOptions, type RnnResult, rnn } from './rnn.js';
export { fusedUnsupported, type Part } from './run-cell.js';
export { type ScanOptions, scan } from './scan.js';
export {
  type SimpleRnnCell,
  type SimpleRnnConfig,
  type SimpleRnnSpec,
  type SimpleRnnWeights,
  simpleRNN,
  simpleRnnStep,
} from './simple-rnn.js';
export { type SkipRnn, type SkipState, skipConnections } from './skip.js';
export { type Stacked, type StackedOptions, stacked } from './stacked.js';
export { detachState, disposeState, type StateTree, stopGradient } from './state.js';
export { type Stepper, type StepperOptions, stepper } from './stepper.js';
export type { HState, InitScheme, LstmState, StepOptions, StepResult } from './types.js';
