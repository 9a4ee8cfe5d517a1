/** Node-only helpers: the one atomic file writer. */
export { type Chunk, cleanStale, writeFileAtomic } from './node/atomic-write.js';
