/**
 * UCI "Sentiment Labelled Sentences" (Kotzias et al., KDD 2015): per source (amazon_cells, imdb,
 * yelp) a file `<source>_labelled.txt` of `sentence\tlabel` lines, label 0 (negative) or 1 (positive).
 */
import { FormatError, InputError } from '@strand/base';
import type { NamedInput } from './names.js';
import { baseName, dataLines, inputText, noControl, type ParseOptions, type TextInput } from './text.js';

const FORMAT = 'sentiment';

export interface SentimentExample {
  /** The sentence, without the trailing spaces some files have before the tab. */
  readonly text: string;
  readonly label: 0 | 1;
  /** The corpus it came from: `amazon_cells`, `imdb`, `yelp`. */
  readonly source: string;
}

export interface ParseSentimentOptions extends ParseOptions {
  /** The corpus name stored in each example. Default: from `source`, `imdb_labelled.txt` -> `imdb`. */
  readonly corpus?: string;
}

/** `sentiment/imdb_labelled.txt` -> `imdb`. */
export function corpusFromFileName(name: string): string {
  return baseName(name)
    .replace(/\.txt$/i, '')
    .replace(/_labelled$/, '');
}

/**
 * One labelled-sentences file.
 *
 * @example
 * parseSentimentFile('Crust is not good.\t0\n', { source: 'yelp_labelled.txt' })
 * // [{ text: 'Crust is not good.', label: 0, source: 'yelp' }]
 */
export function parseSentimentFile(
  input: TextInput,
  options: ParseSentimentOptions = {},
): SentimentExample[] {
  const { source } = options;
  const corpus = options.corpus ?? (source === undefined ? '' : corpusFromFileName(source));
  const text = inputText(input, FORMAT, source);
  return dataLines(text, FORMAT, source).map(({ text: row, line }) => {
    const cols = row.split('\t');
    if (cols.length !== 2)
      throw new FormatError(
        FORMAT,
        `expected 2 tab-separated columns (sentence, label), received ${cols.length}`,
        { source, line },
      );
    const sentence = cols[0]!.trimEnd();
    const label = cols[1]!;
    if (label !== '0' && label !== '1')
      throw new FormatError(FORMAT, `expected the label 0 or 1, received ${JSON.stringify(label)}`, {
        source,
        line,
      });
    if (sentence.trim() === '') throw new FormatError(FORMAT, 'the sentence is empty', { source, line });
    noControl(sentence, 'the sentence', FORMAT, { source, line });
    return { text: sentence, label: label === '1' ? 1 : 0, source: corpus };
  });
}

/** Several files, in the order given (each example's `source` from its file name). */
export function parseSentiment(files: readonly NamedInput[]): SentimentExample[] {
  const seen = new Set<string>();
  return files.flatMap((file) => {
    const corpus = corpusFromFileName(file.name);
    if (seen.has(corpus))
      throw new InputError({
        what: `sentiment corpus ${corpus}`,
        expected: 'one file per corpus',
        received: `a second file ${file.name}`,
      });
    seen.add(corpus);
    return parseSentimentFile(file.content, { source: file.name, corpus });
  });
}

/** Examples as a labelled-sentences file (`sentence\tlabel` lines). The inverse of `parseSentimentFile`. */
export function serializeSentiment(examples: readonly Pick<SentimentExample, 'text' | 'label'>[]): string {
  return examples.map((e) => `${e.text}\t${e.label}\n`).join('');
}
