// Importing @strand/backend registers tfjs-core's gradient functions (its one documented side effect).
import './gradients.js';

export { type ConformanceCase, conformanceCases } from './conformance/cases.js';
export { type CaseResult, formatConformance, runConformance } from './conformance/run.js';
export { BackendUnavailableError, MissingKernelError, UnknownBackendError } from './errors.js';
export { backendsWithKernel, implementedKernels } from './kernels/missing-kernels.js';
export {
  ARRAY_KERNEL_BACKENDS,
  type ArrayKernelAttrs,
  type ArrayKernelInputs,
  type ArrayKernelShapes,
  type ArrayKernelSpec,
  isStrandKernel,
  registerArrayKernel,
  registerStrandKernel,
  unregisterStrandKernel,
} from './kernels.js';
export { cpuProvider } from './providers/cpu.js';
export { type WasmOptions, wasmProvider } from './providers/wasm.js';
export { registerProvider } from './registry.js';
export { describeCpu, importOptional, isBrowser, isNode } from './runtime.js';
export type {
  Availability,
  BackendInfo,
  BackendName,
  BackendPreference,
  BackendProvider,
  BackendStatus,
  SkippedBackend,
} from './types.js';
export {
  BACKEND_NAMES,
  backendFromArgs,
  currentBackend,
  listBackends,
  parseBackendPreference,
  resolvePreference,
  useBackend,
} from './use-backend.js';
