/**
 * Typed errors. Each carries the facts as fields as well as in the message, so callers can
 * branch on them and users see what was expected, what came, and (for files) where.
 */

export interface InputErrorDetails {
  /** What was being checked: "symbol at position 3 of sequence 0", "row 2 of transitions". */
  readonly what: string;
  /** What was expected: "an integer in [0, 4)". */
  readonly expected: string;
  /** What came instead: "7". */
  readonly received: string;
  /** How to fix it, when there is an obvious way. */
  readonly hint?: string;
}

/** Bad input to a model or an algorithm: symbols outside the alphabet, empty sequences, bad matrices. */
export class MarkovInputError extends Error {
  override readonly name: string = 'MarkovInputError';
  readonly what: string;
  readonly expected: string;
  readonly received: string;
  readonly hint: string | undefined;

  constructor(details: InputErrorDetails) {
    super(
      `${details.what}: expected ${details.expected}, received ${details.received}` +
        (details.hint ? `. ${details.hint}` : ''),
    );
    this.what = details.what;
    this.expected = details.expected;
    this.received = details.received;
    this.hint = details.hint;
  }
}

/** A covariance matrix that is not symmetric positive definite (Cholesky failed). */
export class NotPositiveDefiniteError extends MarkovInputError {
  override readonly name: string = 'NotPositiveDefiniteError';
  /** The HMM state (or -1 when the matrix does not belong to a state). */
  readonly state: number;

  constructor(what: string, pivot: number, pivotValue: number, state = -1) {
    super({
      what,
      expected: 'a symmetric positive-definite matrix',
      received: `a matrix whose leading minor ${pivot + 1} is ${pivotValue} (not > 0)`,
      hint: 'add a small multiple of the identity, or check the matrix is symmetric',
    });
    this.state = state;
  }
}

/** A syntax or consistency error in a text file (ARPA, CoNLL-U), with its 1-based line number. */
export class FileParseError extends Error {
  override readonly name: string = 'FileParseError';
  /** 1-based line number (0 when the problem is the file as a whole, e.g. a missing section). */
  readonly line: number;
  readonly format: string;
  /** The problem, without the format and line prefix. */
  readonly detail: string;
  /** The file, when read from one. */
  readonly path: string | undefined;

  constructor(format: string, line: number, detail: string, path?: string) {
    const where = `${format}${path ? ` file ${path}` : ''}${line > 0 ? ` line ${line}` : ''}`;
    super(`${where}: ${detail}`);
    this.line = line;
    this.format = format;
    this.detail = detail;
    this.path = path;
  }
}

/** An ARPA language-model file that cannot be read. */
export class ArpaParseError extends FileParseError {
  override readonly name: string = 'ArpaParseError';
  constructor(line: number, detail: string, path?: string) {
    super('ARPA', line, detail, path);
  }
}

/** A CoNLL-U treebank file that cannot be read. */
export class ConlluParseError extends FileParseError {
  override readonly name: string = 'ConlluParseError';
  constructor(line: number, detail: string, path?: string) {
    super('CoNLL-U', line, detail, path);
  }
}
