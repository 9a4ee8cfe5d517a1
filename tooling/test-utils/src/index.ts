export { testBackends } from './backends.js';
export { expectClose, maxAbsDiff } from './close.js';
export { dataDir, dataPath, hasData } from './data.js';
export { type FuzzOptions, type FuzzReport, fuzzReader, type MutationOptions, mutations } from './fuzz.js';
export { expectGradientsMatch, numericGradient } from './grad-check.js';
export { expectNoLeakedTensors } from './leaks.js';
export { useTestBackend } from './use-test-backend.js';
