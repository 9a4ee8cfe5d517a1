export { expectClose, maxAbsDiff } from './close.js';
export { expectNoLeakedTensors } from './leaks.js';
export { numericGradient, expectGradientsMatch } from './grad-check.js';
export { dataDir, dataPath, hasData } from './data.js';
