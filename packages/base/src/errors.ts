/**
 * Strand's one error hierarchy. Every error a Strand package throws on purpose is a `StrandError`
 * with a stable `code` (for programs: `switch (e.code)`), fields that carry the facts, and a
 * message that names what was expected, what came, and where (for people). A lower-level error
 * that caused it travels as `cause`.
 *
 *   StrandError
 *   ├── ConfigError          an option or configuration value that cannot work
 *   ├── ShapeError           a tensor of the wrong shape (expected / received)
 *   ├── InputError           a bad argument value (what / expected / received / hint)
 *   │   ├── VocabularyError  a token the vocabulary lacks
 *   │   ├── IdOutOfRangeError an id outside [0, size)
 *   │   └── NonFiniteError   NaN or Inf in a tensor (which tensor, which step)
 *   └── FormatError          a file or byte stream that is malformed (format, file, line, byte offset)
 *
 * Packages subclass these for their own cases (e.g. `SafetensorsError extends FormatError`) and
 * never define a second root.
 */

export interface StrandErrorOptions {
  /** The lower-level error that caused this one. */
  readonly cause?: unknown;
}

/** The root of every error a Strand package throws on purpose. */
export class StrandError extends Error {
  override name = 'StrandError';
  /** Stable identifier, e.g. `'ERR_CONFIG'`, `'ERR_FORMAT'`; never changes with the message. */
  readonly code: string;
  constructor(code: string, message: string, options: StrandErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** True when `e` is a Strand error, optionally with the given `code`. */
export function isStrandError(e: unknown, code?: string): e is StrandError {
  return e instanceof StrandError && (code === undefined || e.code === code);
}

/** An invalid option or configuration value; `field` names the option when there is one. */
export class ConfigError extends StrandError {
  override name = 'ConfigError';
  readonly field: string | undefined;
  constructor(message: string, field?: string, options?: StrandErrorOptions) {
    super('ERR_CONFIG', message, options);
    this.field = field;
  }
}

/** Formats a shape for messages: `[2, 3]`, with `null` for "any size" shown as `?`. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * A tensor of the wrong shape. `expected` is a shape (null = any size on that axis)
 * or a sentence ("rank >= 2", "[n, n] (square)"); `received` is the shape that came.
 *
 * @example
 * throw new ShapeError('linear input', [null, 4], x.shape);
 * // ShapeError: linear input: expected shape [?, 4], received [2, 3]
 */
export class ShapeError extends StrandError {
  override name = 'ShapeError';
  readonly what: string;
  readonly expected: readonly (number | null)[] | string;
  readonly received: readonly number[];
  constructor(what: string, expected: readonly (number | null)[] | string, received: readonly number[]) {
    const want = typeof expected === 'string' ? expected : formatShape(expected);
    super('ERR_SHAPE', `${what}: expected shape ${want}, received ${formatShape(received)}`);
    this.what = what;
    this.expected = expected;
    this.received = received;
  }
}

export interface InputErrorDetails {
  /** What was being checked: "symbol at position 3 of sequence 0", "row 2 of transitions". */
  readonly what: string;
  /** What was expected: "an integer in [0, 4)". */
  readonly expected: string;
  /** What came instead: "7". */
  readonly received: string;
  /** How to fix it, when there is an obvious way. */
  readonly hint?: string | undefined;
}

/** A bad argument value: symbols outside the alphabet, empty sequences, bad matrices. */
export class InputError extends StrandError {
  override name = 'InputError';
  readonly what: string;
  readonly expected: string;
  readonly received: string;
  readonly hint: string | undefined;
  constructor(details: InputErrorDetails, options?: StrandErrorOptions & { readonly code?: string }) {
    super(
      options?.code ?? 'ERR_INPUT',
      `${details.what}: expected ${details.expected}, received ${details.received}` +
        (details.hint ? `. ${details.hint}` : ''),
      options,
    );
    this.what = details.what;
    this.expected = details.expected;
    this.received = details.received;
    this.hint = details.hint;
  }
}

/** A token (character, word) that the vocabulary lacks, where the caller asked for no `<unk>`. */
export class VocabularyError extends InputError {
  override name = 'VocabularyError';
  /** The unknown token, exactly as it appeared. */
  readonly token: string;
  /** Where it appeared (UTF-16 offset in a text, or index in a token list); -1 when unknown. */
  readonly position: number;
  constructor(token: string, position = -1, hint?: string) {
    super(
      {
        what: position >= 0 ? `token at position ${position}` : 'token',
        expected: 'a token in the vocabulary',
        received: describeText(token),
        hint: hint ?? "map unknown tokens to '<unk>' or add them to the vocabulary",
      },
      { code: 'ERR_VOCABULARY' },
    );
    this.token = token;
    this.position = position;
  }
}

/** An id outside [0, size): names the id, where it was and the valid range. */
export class IdOutOfRangeError extends InputError {
  override name = 'IdOutOfRangeError';
  readonly id: number;
  /** Flat position of the id in its input, -1 when not known. */
  readonly index: number;
  readonly size: number;
  constructor(id: number, index: number, size: number, what = 'id') {
    super(
      {
        what: index >= 0 ? `${what} at index ${index}` : what,
        expected: `an integer in [0, ${size})`,
        received: String(id),
        hint: Number.isInteger(id) ? undefined : 'ids must be integers',
      },
      { code: 'ERR_ID_RANGE' },
    );
    this.id = id;
    this.index = index;
    this.size = size;
  }
}

/** NaN or Inf where finite numbers are required: names the tensor and, in training, the step. */
export class NonFiniteError extends InputError {
  override name = 'NonFiniteError';
  readonly tensor: string;
  /** Training step or time step where it was found; -1 when not applicable. */
  readonly step: number;
  constructor(tensor: string, received: string, step = -1) {
    super(
      {
        what: step >= 0 ? `${tensor} at step ${step}` : tensor,
        expected: 'finite numbers',
        received,
        hint: 'lower the learning rate, clip gradients, or check the input data',
      },
      { code: 'ERR_NON_FINITE' },
    );
    this.tensor = tensor;
    this.step = step;
  }
}

export interface FormatLocation {
  /** File name or other label of the input, when known. */
  readonly source?: string | undefined;
  /** 1-based line, when known. */
  readonly line?: number | undefined;
  /** 1-based column, when known. */
  readonly column?: number | undefined;
  /** 0-based byte offset, for binary formats and UTF-8 errors. */
  readonly byteOffset?: number | undefined;
  /** Path of the offending value inside a JSON document, e.g. `model.vocab[3]`. */
  readonly path?: string | undefined;
}

/**
 * A file or byte stream that is malformed, truncated or unsupported. `format` names the format
 * ("safetensors", "ARPA", "CoNLL-U", "tokenizer.json"); the location fields say where.
 *
 * @example
 * throw new FormatError('ARPA', 'expected 3 fields, received 2', { source: 'lm.arpa', line: 12 });
 * // FormatError: ARPA lm.arpa:12: expected 3 fields, received 2
 */
export class FormatError extends StrandError {
  override name = 'FormatError';
  readonly format: string;
  /** The problem, without the format and location prefix. */
  readonly reason: string;
  readonly source: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly byteOffset: number | undefined;
  readonly path: string | undefined;
  constructor(format: string, reason: string, location: FormatLocation = {}, options?: StrandErrorOptions) {
    const where = formatLocation(location);
    super('ERR_FORMAT', `${format}${where ? ` ${where}` : ''}: ${reason}`, options);
    this.format = format;
    this.reason = reason;
    this.source = location.source;
    this.line = location.line;
    this.column = location.column;
    this.byteOffset = location.byteOffset;
    this.path = location.path;
  }

  /** The same error naming `source` (a file name) if it did not name one yet. */
  withSource(source: string): FormatError {
    if (this.source !== undefined) return this;
    const copy = Object.create(Object.getPrototypeOf(this)) as FormatError;
    Object.assign(copy, this, { source });
    // `cause` is not enumerable (Error's own), so Object.assign misses it.
    if (this.cause !== undefined)
      Object.defineProperty(copy, 'cause', { value: this.cause, writable: true, configurable: true });
    Object.defineProperty(copy, 'message', {
      value: `${this.format} ${formatLocation({ ...this, source })}: ${this.reason}`,
      writable: true,
      configurable: true,
    });
    copy.stack = this.stack;
    return copy;
  }
}

function formatLocation({ source, line, column, byteOffset, path }: FormatLocation): string {
  let where = source ?? '';
  if (line !== undefined)
    where += `${where ? ':' : 'line '}${line}${column !== undefined ? `:${column}` : ''}`;
  if (byteOffset !== undefined) where += `${where ? ' ' : ''}byte ${byteOffset}`;
  if (path !== undefined) where += `${where ? ' ' : ''}at ${path}`;
  return where;
}

/** `"é" (U+00E9)`: the text plus its code points, so invisible characters can be seen. */
export function describeText(text: string): string {
  const points: string[] = [];
  for (let i = 0; i < text.length && points.length < 8; ) {
    const cp = text.codePointAt(i)!;
    points.push(`U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
    i += cp > 0xffff ? 2 : 1;
  }
  const more = text.length > 8 ? ' ...' : '';
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return `${JSON.stringify(shown)} (${points.join(' ')}${more})`;
}

/** A short description of any value for messages: `null`, `an array of length 3`, `the number 7`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  if (typeof value === 'string')
    return `a string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
