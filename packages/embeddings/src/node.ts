// @strand/embeddings/node: streaming vector-file readers and atomic writers (Node's fs).
export { readVectorsFile, writeVectorsFile } from './node/vector-files.js';
export { readVocabularyFile } from './node/vocabulary-file.js';
