/** Shared pieces of the text readers: bytes or text in, lines with their numbers out. */
import { decodeUtf8, describeValue, FormatError, InputError } from '@strand/base';

/** What the `parse*` readers take: text, or the file's bytes (decoded as strict UTF-8). */
export type TextInput = string | Uint8Array;

export interface ParseOptions {
  /** File name or label for error messages. */
  readonly source?: string | undefined;
}

/** `input` as a string; bytes are decoded strictly (invalid UTF-8 is a FormatError with its byte offset). */
export function inputText(input: TextInput, format: string, source: string | undefined): string {
  if (typeof input === 'string') return input;
  if (input instanceof Uint8Array) return decodeUtf8(input, { format, source });
  throw new InputError({
    what: `${format} input`,
    expected: 'a string or a Uint8Array',
    received: describeValue(input),
  });
}

/** One line with its 1-based number. */
export interface Line {
  readonly text: string;
  readonly line: number;
}

/**
 * The lines of a line-based file: `\n` or `\r\n` endings, a leading byte-order mark dropped, one
 * final line ending allowed. An empty file or a blank line elsewhere is a FormatError (these
 * formats have none; an empty file is most often a failed download).
 */
export function dataLines(text: string, format: string, source: string | undefined): Line[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new FormatError(format, 'the file is empty', { source });
  const raw = body.split('\n');
  if (raw.at(-1) === '') raw.pop();
  return raw.map((l, i) => {
    const t = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (t.trim() === '') throw new FormatError(format, 'blank line', { source, line: i + 1 });
    return { text: t, line: i + 1 };
  });
}

/** Throws a FormatError when `text` holds a control character (tabs in a field, NUL, stray CR). */
export function noControl(
  text: string,
  what: string,
  format: string,
  where: { source: string | undefined; line: number },
): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
  const bad = /[\u0000-\u001f\u007f]/.exec(text);
  if (bad) {
    const code = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new FormatError(
      format,
      `${what} holds the control character ${code} at column ${bad.index + 1}`,
      where,
    );
  }
  return text;
}

/** `dir/names/Greek.txt` -> `Greek.txt`. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
