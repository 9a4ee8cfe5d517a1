/** Plain text corpora (tiny Shakespeare) and their character vocabularies. */
import { type BuildVocabularyOptions, buildVocabulary, FormatError, type Vocabulary } from '@strand/base';
import { inputText, type ParseOptions, type TextInput } from './text.js';

export interface ParseTextOptions extends ParseOptions {
  /** Format name for messages. Default `'text'`. */
  readonly format?: string;
}

/**
 * A plain text file as one string, exactly as written (no newline or BOM changes). Bytes must be
 * valid UTF-8; an empty file is a FormatError (a corpus with nothing in it is a mistake).
 *
 * @example
 * const text = parseText(await readFile('input.txt'), { source: 'input.txt' }); // 1,115,394 characters
 */
export function parseText(input: TextInput, options: ParseTextOptions = {}): string {
  const format = options.format ?? 'text';
  const text = inputText(input, format, options.source);
  if (text.length === 0) throw new FormatError(format, 'the file is empty', { source: options.source });
  return text;
}

/**
 * A character vocabulary of `text`: `<pad> <unk> <bos> <eos>` (ids 0-3), then each distinct code
 * point, most frequent first (ties in code-point order), as `buildVocabulary` orders them.
 * Encode with `vocab.encode(text)` (a string iterates by code point).
 *
 * @example
 * const vocab = charVocabulary(text); // tiny Shakespeare: 65 characters + 4 specials = 69 ids
 * const ids = vocab.encode(text);
 */
export function charVocabulary(text: string, options?: BuildVocabularyOptions): Vocabulary {
  return buildVocabulary([text], options);
}
