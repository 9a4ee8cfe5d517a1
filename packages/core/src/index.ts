export { createRng, deriveSeed, Rng, type RngState } from '@strand/base';
export { type DropoutOptions, dropout } from './dropout.js';
export {
  ConfigError,
  SafetensorsError,
  ShapeError,
  WeightsError,
  type WeightsErrorDetails,
  type WrongDtype,
  type WrongShape,
} from './errors.js';
export { computeFans, createParameter, type Initializer, initializers } from './initializers.js';
export { initLayerNorm, type LayerNormParams, layerNorm } from './layer-norm.js';
export { initLinear, type LinearConfig, type LinearParams, linear } from './linear.js';
export { disposeParameters, namedParameters, type Params, trainableParameters } from './params.js';
export {
  parseSafetensors,
  parseSafetensorsHeader,
  type Safetensors,
  type SafetensorsHeader,
  type TensorEntry,
} from './safetensors/parse.js';
export { type NamedTensors, safetensorsChunks, serializeSafetensors } from './safetensors/serialize.js';
export { type LoadOptions, type LoadReport, loadParameters, saveParameters } from './weights.js';
