/**
 * Errors come from @strand/base (one hierarchy for every Strand package; see packages/base/README.md).
 * `VectorFileError` is the base `FormatError` for vector files and vocabulary JSON: `format` says which
 * ('GloVe', 'word2vec', 'word2vec binary', 'vocabulary JSON'), `source` the file, `line` or `byteOffset` where.
 */
import { FormatError, type FormatLocation, type StrandErrorOptions } from '@strand/base';

export {
  ConfigError,
  FormatError,
  IdOutOfRangeError,
  InputError,
  NonFiniteError,
  ShapeError,
  StrandError,
  VocabularyError,
} from '@strand/base';

/** Malformed vector or vocabulary data. Names the format, the file (or source) and the line or byte offset. */
export class VectorFileError extends FormatError {
  override name = 'VectorFileError';
  constructor(format: string, reason: string, location: FormatLocation = {}, options?: StrandErrorOptions) {
    super(format, reason, location, options);
  }
}
