/**
 * Markov's own cases of Strand's one error hierarchy (see packages/base/README.md): bad
 * arguments are `InputError`s from `@strand/base`; these subclasses add what only this package
 * knows (which HMM state's covariance failed, which ARPA or CoNLL-U line is wrong).
 */
import { FormatError, type FormatLocation, InputError, type StrandErrorOptions } from '@strand/base';

/** A covariance matrix that is not symmetric positive definite (Cholesky failed). */
export class NotPositiveDefiniteError extends InputError {
  override name = 'NotPositiveDefiniteError';
  /** The HMM state (or -1 when the matrix does not belong to a state). */
  readonly state: number;

  constructor(what: string, pivot: number, pivotValue: number, state = -1) {
    super(
      {
        what,
        expected: 'a symmetric positive-definite matrix',
        received: `a matrix whose leading minor ${pivot + 1} is ${pivotValue} (not > 0)`,
        hint: 'add a small multiple of the identity, or check the matrix is symmetric',
      },
      { code: 'ERR_NOT_POSITIVE_DEFINITE' },
    );
    this.state = state;
  }
}

/**
 * Location of a problem in a text file: a 1-based line (0 or absent when the problem is the file
 * as a whole, e.g. a missing section), or a byte offset for invalid UTF-8.
 */
export interface TextLocation {
  readonly line?: number | undefined;
  readonly byteOffset?: number | undefined;
  readonly source?: string | undefined;
}

function location({ line, byteOffset, source }: TextLocation): FormatLocation {
  return { source, line: line !== undefined && line > 0 ? line : undefined, byteOffset };
}

/** An ARPA language-model file that cannot be read: `line` names the offending line. */
export class ArpaParseError extends FormatError {
  override name = 'ArpaParseError';
  constructor(reason: string, where: TextLocation = {}, options?: StrandErrorOptions) {
    super('ARPA', reason, location(where), options);
  }
}

/** A CoNLL-U treebank file that cannot be read: `line` names the offending line. */
export class ConlluParseError extends FormatError {
  override name = 'ConlluParseError';
  constructor(reason: string, where: TextLocation = {}, options?: StrandErrorOptions) {
    super('CoNLL-U', reason, location(where), options);
  }
}
