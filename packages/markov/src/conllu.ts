/**
 * A small CoNLL-U reader (https://universaldependencies.org/format.html): ten tab-separated
 * columns per word, `#` comment lines, a blank line after each sentence. Multiword token ranges
 * (`1-2`) and empty nodes (`1.1`) are skipped, so a sentence is its syntactic words.
 */
import { ConlluParseError } from './errors.js';

export interface ConlluToken {
  readonly id: number;
  readonly form: string;
  readonly lemma: string;
  /** Universal part-of-speech tag (column 4). */
  readonly upos: string;
  /** Language-specific tag (column 5); `_` when absent. */
  readonly xpos: string;
  /** Head word id, or null for `_`. */
  readonly head: number | null;
  readonly deprel: string;
}

export interface ConlluSentence {
  /** Comment lines without the leading `# ` (e.g. `sent_id = ...`, `text = ...`). */
  readonly comments: readonly string[];
  readonly tokens: readonly ConlluToken[];
}

/** A sentence as parallel arrays of words and tags, for supervised taggers. */
export interface TaggedSentence {
  readonly words: readonly string[];
  readonly tags: readonly string[];
}

export function parseConllu(text: string): ConlluSentence[] {
  const lines = text.split(/\r?\n/);
  const sentences: ConlluSentence[] = [];
  let comments: string[] = [];
  let tokens: ConlluToken[] = [];
  const flush = (): void => {
    if (tokens.length > 0) sentences.push({ comments, tokens });
    comments = [];
    tokens = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fail = (detail: string): never => {
      throw new ConlluParseError(i + 1, detail);
    };
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line.replace(/^#\s?/, ''));
      continue;
    }
    const cols = line.split('\t');
    if (cols.length !== 10) fail(`expected 10 tab-separated columns, got ${cols.length}`);
    const idText = cols[0]!;
    if (/^\d+-\d+$/.test(idText) || /^\d+\.\d+$/.test(idText)) continue; // multiword range / empty node
    if (!/^\d+$/.test(idText))
      fail(`expected a word id (1, 2, ...), a range (1-2) or a decimal (1.1), got "${idText}"`);
    const id = Number(idText);
    if (id !== tokens.length + 1) fail(`expected word id ${tokens.length + 1}, got ${id}`);
    const [, form, lemma, upos, xpos, , head, deprel] = cols as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (form === '') fail('the FORM column is empty');
    if (upos === '') fail('the UPOS column is empty');
    if (head !== '_' && !/^\d+$/.test(head)) fail(`expected a head id or "_", got "${head}"`);
    tokens.push({ id, form, lemma, upos, xpos, head: head === '_' ? null : Number(head), deprel });
  }
  flush();
  return sentences;
}

/** Words and tags of each sentence; `column` picks UPOS (default) or XPOS. */
export function taggedSentences(
  sentences: readonly ConlluSentence[],
  column: 'upos' | 'xpos' = 'upos',
): TaggedSentence[] {
  return sentences.map((s) => ({ words: s.tokens.map((t) => t.form), tags: s.tokens.map((t) => t[column]) }));
}
