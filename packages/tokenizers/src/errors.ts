/**
 * Typed errors. Each carries the offending values as fields (for programs) and a message that
 * names what was expected, what was received and how to fix it (for people).
 */

/** Base class of every error this package throws on purpose. */
export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

/** An option or combination of options that cannot work, detected before any text is processed. */
export class ConfigError extends TokenizerError {
  override name = 'ConfigError';
}

/** Text contains a token or character that the vocabulary lacks, and the tokenizer has no `<unk>`. */
export class VocabularyError extends TokenizerError {
  override name = 'VocabularyError';
  /** The unknown character or word, exactly as it appears in the (normalized) text. */
  readonly token: string;
  /** UTF-16 offset of `token` in the original input text. */
  readonly position: number;

  constructor(token: string, position: number) {
    super(
      `Unknown token ${describeText(token)} at position ${position}: it is not in the vocabulary and this ` +
        `tokenizer has no <unk> token (unknown: 'error'). Retrain on text that contains it, or use unknown: 'unk'.`,
    );
    this.token = token;
    this.position = position;
  }

  /** The same error with `position` shifted by `offset` (models report positions within a piece). */
  shifted(offset: number): VocabularyError {
    return new VocabularyError(this.token, this.position + offset);
  }
}

/** `decode` (or a lookup) received an id that names no token. */
export class IdOutOfRangeError extends TokenizerError {
  override name = 'IdOutOfRangeError';
  readonly id: number;
  /** Index of `id` in the input array. */
  readonly index: number;
  readonly vocabSize: number;

  constructor(id: number, index: number, vocabSize: number) {
    const what = Number.isInteger(id) ? 'no token has this id' : 'ids must be integers';
    super(
      `Id ${id} at index ${index} is out of range: expected an integer in [0, ${vocabSize}) that names a token; ${what}.`,
    );
    this.id = id;
    this.index = index;
    this.vocabSize = vocabSize;
  }
}

/** A sequence is longer than `maxLength` and truncation was not enabled. Nothing is cut silently. */
export class SequenceTooLongError extends TokenizerError {
  override name = 'SequenceTooLongError';
  readonly index: number;
  readonly length: number;
  readonly maxLength: number;

  constructor(index: number, length: number, maxLength: number) {
    super(
      `Sequence ${index} has ${length} tokens, more than maxLength ${maxLength}. ` +
        `Pass truncation: true to cut it, or raise maxLength.`,
    );
    this.index = index;
    this.length = length;
    this.maxLength = maxLength;
  }
}

export interface FormatLocation {
  /** File name or other label of the input, when known. */
  readonly source?: string | undefined;
  /** 1-based line, when known. */
  readonly line?: number | undefined;
  /** 1-based column, when known. */
  readonly column?: number | undefined;
  /** Path of the offending value inside a JSON document, e.g. `model.vocab[3]`. */
  readonly path?: string | undefined;
}

/** A serialized tokenizer (Strand JSON, HF tokenizer.json, tiktoken ranks) is malformed or unsupported. */
export class TokenizerFormatError extends TokenizerError {
  override name = 'TokenizerFormatError';
  readonly source: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly path: string | undefined;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(reason: string, location: FormatLocation = {}) {
    super(formatLocation(location) + reason);
    this.reason = reason;
    this.source = location.source;
    this.line = location.line;
    this.column = location.column;
    this.path = location.path;
  }

  /** The same error, naming `source` (a file name) if it did not name one yet. */
  withSource(source: string): TokenizerFormatError {
    if (this.source !== undefined) return this;
    return new TokenizerFormatError(this.reason, { ...this, source });
  }
}

function formatLocation({ source, line, column, path }: FormatLocation): string {
  let where = source ?? '';
  if (line !== undefined)
    where += `${where ? ':' : 'line '}${line}${column !== undefined ? `:${column}` : ''}`;
  if (path !== undefined) where += `${where ? ' ' : ''}at ${path}`;
  return where ? `${where}: ` : '';
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
  return `${JSON.stringify(text)} (${points.join(' ')}${more})`;
}
