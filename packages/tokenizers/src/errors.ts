/**
 * Errors come from @strand/base (one hierarchy for every Strand package; see packages/base/README.md).
 * This file re-exports the ones the tokenizer API throws and adds the one case that is tokenizer-specific.
 *
 *   ConfigError        options that cannot work
 *   VocabularyError    unknown character or word with `unknown: 'error'` (`token`, `position`)
 *   IdOutOfRangeError  `decode` got an id that names no token (`id`, `index`, `size`)
 *   SequenceTooLongError (an InputError) a batch row longer than `maxLength` without truncation
 *   FormatError        malformed Strand JSON, tokenizer.json, `.tiktoken` or rank data
 */
import { FormatError, type FormatLocation, InputError, StrandError, VocabularyError } from '@strand/base';

export {
  ConfigError,
  describeText,
  FormatError,
  type FormatLocation,
  IdOutOfRangeError,
  InputError,
  StrandError,
  VocabularyError,
} from '@strand/base';

/** The `format` of errors about a Strand tokenizer document (and the pipeline built from any file). */
export const TOKENIZER_DOCUMENT = 'tokenizer';

/** A FormatError about a tokenizer document; `location.path` names the JSON path. */
export function tokenizerError(reason: string, location: FormatLocation = {}, cause?: unknown): FormatError {
  return new FormatError(TOKENIZER_DOCUMENT, reason, location, cause === undefined ? undefined : { cause });
}

/** The VocabularyError a tokenizer without `<unk>` throws for `token` at UTF-16 `position`. */
export function unknownToken(token: string, position: number): VocabularyError {
  return new VocabularyError(
    token,
    position,
    "this tokenizer has no <unk> token (unknown: 'error'); retrain on text that contains it, or use unknown: 'unk'",
  );
}

/** A sequence is longer than `maxLength` and truncation was not enabled. Nothing is cut silently. */
export class SequenceTooLongError extends InputError {
  override name = 'SequenceTooLongError';
  readonly index: number;
  readonly length: number;
  readonly maxLength: number;

  constructor(index: number, length: number, maxLength: number) {
    super(
      {
        what: `sequence ${index}`,
        expected: `at most maxLength ${maxLength} tokens`,
        received: `${length} tokens`,
        hint: 'pass truncation: true to cut it, or raise maxLength',
      },
      { code: 'ERR_SEQUENCE_TOO_LONG' },
    );
    this.index = index;
    this.length = length;
    this.maxLength = maxLength;
  }
}

/** A stream encoder used after `end()`. */
export class StreamEndedError extends StrandError {
  override name = 'StreamEndedError';
  constructor(message: string) {
    super('ERR_STREAM_ENDED', message);
  }
}

export {
  /** @deprecated Format errors are base `FormatError`s (`format`: 'tokenizer', 'tokenizer.json', '.tiktoken'). */
  FormatError as TokenizerFormatError,
  /**
   * @deprecated Every Strand error is a `StrandError` (from @strand/base); catch that. Kept so that
   * `instanceof TokenizerError` still works.
   */
  StrandError as TokenizerError,
} from '@strand/base';
