// @strand/core/node: file helpers that need Node's `fs`. The main entry stays browser-safe.
// `writeFileAtomic` is @strand/base/node's (re-exported for compatibility).
export { type Chunk, cleanStale, writeFileAtomic } from '@strand/base/node';
export { loadParametersFile, loadSafetensorsFile, saveSafetensorsFile } from './node/safetensors-file.js';
