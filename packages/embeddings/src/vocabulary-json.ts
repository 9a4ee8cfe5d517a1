import { decodeUtf8, jsonChecker, parseJson, Vocabulary } from '@strand/base';

/** The `format` of errors about vocabulary files. */
export const VOCABULARY_FORMAT = 'vocabulary JSON';

export interface ParseVocabularyOptions {
  /** Named in errors: a file path or '<input>'. */
  readonly source?: string;
  /** For bytes: replace invalid UTF-8 with U+FFFD instead of failing. Default false. */
  readonly replaceInvalidUtf8?: boolean;
}

/**
 * A vocabulary (id → word) from JSON, in any of three spellings:
 * - base's Vocabulary JSON (`{"version": 1, "type": "Vocabulary", "tokens": [...]}`, what
 *   `Vocabulary.toJSON()` writes; read by `Vocabulary.fromJSON`, so the `<pad> <unk> <bos> <eos>`
 *   convention is checked);
 * - an array of words (`["<pad>", "the", ...]`);
 * - an object of word → id (`{"<pad>": 0, "the": 1}`, as tokenizers' vocab.json), ids 0..n-1, each once.
 *
 * Untrusted input: bytes are decoded as strict UTF-8 (a FormatError names the byte offset), nesting is
 * bounded, ids are checked against the number of entries before anything is allocated, and only
 * FormatErrors (from @strand/base) leave it, naming the source, line or JSON path.
 */
export function parseVocabulary(input: string | Uint8Array, options: ParseVocabularyOptions = {}): string[] {
  const source = options.source ?? '<input>';
  const read = { format: VOCABULARY_FORMAT, source };
  const text =
    typeof input === 'string'
      ? input
      : decodeUtf8(input, { ...read, replaceInvalid: options.replaceInvalidUtf8 });
  // The deepest legitimate document is base's: an object holding an array of strings.
  const json = parseJson(text, { ...read, maxDepth: 2 });
  const check = jsonChecker(read);
  if (Array.isArray(json)) {
    const words = check.stringArray(json, '$');
    const seen = new Map<string, number>();
    words.forEach((w, i) => {
      const first = seen.get(w);
      if (first !== undefined)
        check.fail(`$[${i}]`, `a word not seen before ('${w}' is also id ${first})`, w);
      seen.set(w, i);
    });
    return [...words];
  }
  const object = check.object(json, '$');
  if (object['type'] === 'Vocabulary' && 'tokens' in object)
    return [...Vocabulary.fromJSON(json, { source }).tokens];
  const entries = Object.entries(object);
  const words: (string | undefined)[] = new Array(entries.length);
  for (const [word, id] of entries) {
    const path = `$[${JSON.stringify(word)}]`;
    // Ids are 0..n-1: a bound from the input itself, checked before the id indexes anything.
    const at = check.index(id, path, entries.length - 1);
    const other = words[at];
    if (other !== undefined) check.fail(path, `an id no other word has ('${other}' also has id ${at})`, id);
    words[at] = word;
  }
  return words as string[];
}
