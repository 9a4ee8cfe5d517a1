/**
 * The names data set (PyTorch's "Classifying Names with a Character-Level RNN"): one file per
 * language, one name per line, UTF-8 (some names have accents), file name = label.
 */
import { describeValue, FormatError, InputError } from '@strand/base';
import { baseName, dataLines, inputText, noControl, type TextInput } from './text.js';

const FORMAT = 'names file';

export interface NameExample {
  readonly text: string;
  readonly label: string;
}

export interface NamesData {
  /** All names, files in label order, names in file order. */
  readonly items: NameExample[];
  /** The labels, sorted (code-point order); a label's class index is its position here. */
  readonly labels: string[];
}

/** A named file's content, as given to `parseNames`. */
export interface NamedInput {
  /** File name or path; its base name without `.txt` is the label (`names/Greek.txt` -> `Greek`). */
  readonly name: string;
  readonly content: TextInput;
}

export interface ParseNamesOptions {
  /**
   * Fold each name to the tutorial's ASCII alphabet (`unicodeToAscii`: strip accents, keep only
   * letters and ` .,;'`). Default false: names as written.
   */
  readonly ascii?: boolean;
}

/** `names/Greek.txt` -> `Greek`. */
export function labelFromFileName(name: string): string {
  return baseName(name).replace(/\.txt$/i, '');
}

/**
 * The PyTorch tutorial's `unicodeToAscii`: NFD, drop combining marks (category Mn), keep only
 * ASCII letters and ` .,;'`. `Ślusàrski` -> `Slusarski`.
 */
export function unicodeToAscii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/[^a-zA-Z .,;']/g, '');
}

/**
 * One names file: each line is a name (no control characters, no blank lines; a final newline
 * and `\r\n` endings are fine).
 *
 * @example
 * parseNamesFile('Abbas\nAbboud\n', { label: 'Arabic' }) // [{ text: 'Abbas', label: 'Arabic' }, ...]
 */
export function parseNamesFile(
  input: TextInput,
  options: ParseNamesOptions & { readonly label: string; readonly source?: string },
): NameExample[] {
  const { label, source } = options;
  if (typeof label !== 'string' || label === '') {
    throw new InputError({
      what: 'names label',
      expected: 'a non-empty string',
      received: describeValue(label),
    });
  }
  const text = inputText(input, FORMAT, source);
  return dataLines(text, FORMAT, source).map(({ text: name, line }) => {
    noControl(name, 'the name', FORMAT, { source, line });
    const folded = options.ascii ? unicodeToAscii(name) : name;
    if (folded === '')
      throw new FormatError(FORMAT, `${JSON.stringify(name)} has no ASCII letters left`, { source, line });
    return { text: folded, label };
  });
}

/**
 * All names files, labelled by file name. Files are read in label order, so the result does not
 * depend on the order the files came in.
 *
 * @example
 * const { items, labels } = parseNames([{ name: 'Greek.txt', content: 'Adamidis\n' }, ...]);
 */
export function parseNames(files: readonly NamedInput[], options: ParseNamesOptions = {}): NamesData {
  const byLabel = new Map<string, NamedInput>();
  for (const file of files) {
    const label = labelFromFileName(file.name);
    if (label === '')
      throw new InputError({
        what: 'names file name',
        expected: 'a name like Greek.txt',
        received: JSON.stringify(file.name),
      });
    if (byLabel.has(label)) {
      throw new InputError({
        what: `names label ${label}`,
        expected: 'one file per label',
        received: `${byLabel.get(label)!.name} and ${file.name}`,
      });
    }
    byLabel.set(label, file);
  }
  const labels = [...byLabel.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const items = labels.flatMap((label) => {
    const file = byLabel.get(label)!;
    return parseNamesFile(file.content, { ...options, label, source: file.name });
  });
  return { items, labels };
}

/** A names file's text: one name per line, with a final newline. The inverse of `parseNamesFile`. */
export function serializeNamesFile(names: readonly string[]): string {
  return names.map((n) => `${n}\n`).join('');
}
