// @strand/core/node: file helpers that need Node's `fs`. The main entry stays browser-safe.
export { type Chunk, writeFileAtomic } from './node/atomic-write.js';
export { loadParametersFile, loadSafetensorsFile, saveSafetensorsFile } from './node/safetensors-file.js';
