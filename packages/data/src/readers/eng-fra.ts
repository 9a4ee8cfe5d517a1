/**
 * English-French sentence pairs (Tatoeba, as in PyTorch's seq2seq tutorial): one pair per line,
 * `english\tfrench`, optionally a third column with the attribution (ignored).
 */
import { FormatError } from '@strand/base';
import { dataLines, inputText, noControl, type ParseOptions, type TextInput } from './text.js';

const FORMAT = 'eng-fra';

export interface SentencePair {
  /** The English sentence. */
  readonly source: string;
  /** The French sentence. */
  readonly target: string;
}

export interface ParseEngFraOptions extends ParseOptions {
  /** Apply the tutorial's `normalizeString` to both sides. Default false: sentences as written. */
  readonly normalize?: boolean;
}

/**
 * The PyTorch seq2seq tutorial's `normalizeString`: lowercase, trim, strip accents (NFD, drop
 * combining marks), put a space before `.`, `!` and `?`, and turn every other run of characters
 * outside `a-zA-Z.!?` into one space. `"Va !"` -> `"va !"`, `"J'ai froid."` -> `"j ai froid ."`.
 */
export function normalizeString(text: string): string {
  const ascii = text
    .toLowerCase()
    .trim()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '');
  return ascii
    .replace(/([.!?])/g, ' $1')
    .replace(/[^a-zA-Z.!?]+/g, ' ')
    .trim();
}

/**
 * Sentence pairs from eng-fra text: 2 or 3 tab-separated columns per line, both sentences
 * non-empty. A malformed line is a FormatError naming the file and line.
 *
 * @example
 * parseEngFra('Go.\tVa !\tCC-BY 2.0\n') // [{ source: 'Go.', target: 'Va !' }]
 * parseEngFra('Go.\tVa !\n', { normalize: true }) // [{ source: 'go .', target: 'va !' }]
 */
export function parseEngFra(input: TextInput, options: ParseEngFraOptions = {}): SentencePair[] {
  const { source } = options;
  const text = inputText(input, FORMAT, source);
  return dataLines(text, FORMAT, source).map(({ text: row, line }) => {
    const cols = row.split('\t');
    if (cols.length < 2 || cols.length > 3) {
      throw new FormatError(
        FORMAT,
        `expected 2 or 3 tab-separated columns (english, french, attribution), received ${cols.length}`,
        { source, line },
      );
    }
    const [en, fr] = cols as [string, string];
    for (const [side, s] of [
      ['english', en],
      ['french', fr],
    ] as const) {
      if (s.trim() === '') throw new FormatError(FORMAT, `the ${side} sentence is empty`, { source, line });
      noControl(s, `the ${side} sentence`, FORMAT, { source, line });
    }
    return options.normalize
      ? { source: normalizeString(en), target: normalizeString(fr) }
      : { source: en, target: fr };
  });
}

/** Pairs as eng-fra text (two columns, final newline). The inverse of `parseEngFra` without `normalize`. */
export function serializeEngFra(pairs: readonly SentencePair[]): string {
  return pairs.map((p) => `${p.source}\t${p.target}\n`).join('');
}
