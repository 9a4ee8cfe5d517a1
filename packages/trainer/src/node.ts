/** Node-only parts of the trainer (checkpoint files, terminal progress). */
export { directoryStore } from './node/directory-store.js';
export { type ProgressOptions, progressReporter } from './node/progress.js';
export { type NodeTrainOptions, train } from './node/train.js';
