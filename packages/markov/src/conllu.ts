/**
 * A small CoNLL-U reader (https://universaldependencies.org/format.html): ten tab-separated
 * columns per word, `#` comment lines, a blank line after each sentence. Multiword token ranges
 * (`1-2`) and empty nodes (`1.1`) are skipped, so a sentence is its syntactic words.
 */
import { decodeUtf8, type FormatError } from '@strand/base';
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

export interface ConlluReadOptions {
  /** File name for messages. */
  readonly source?: string;
}

/**
 * Reads CoNLL-U from text or UTF-8 bytes, strictly as the format defines it: word ids 1, 2, ...
 * in order; multiword ranges `a-b` (a < b) starting at the next word and covered by the sentence;
 * empty nodes `n.m` after word n; HEAD `_` or a word id of the same sentence (0 = root) other than
 * the word's own; every sentence ended by a blank line (a file cut inside a sentence is an error).
 * Problems are ConlluParseErrors naming the line, or the byte offset of invalid UTF-8.
 */
export function parseConllu(input: string | Uint8Array, options: ConlluReadOptions = {}): ConlluSentence[] {
  const source = options.source;
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = decodeUtf8(input, { format: 'CoNLL-U', source });
    } catch (e) {
      const f = e as FormatError;
      throw new ConlluParseError(f.reason, { byteOffset: f.byteOffset, source }, { cause: e });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte-order mark
  const lines = text.split('\n');
  // A final newline ends the last line rather than starting an empty one.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const sentences: ConlluSentence[] = [];
  let comments: string[] = [];
  let tokens: ConlluToken[] = [];
  let headLines: number[] = [];
  let rangeEnd = 0; // last word id a multiword range announced
  let rangeLine = 0;
  let open = false; // inside a sentence (comment or word lines seen since the last blank line)
  const fail = (detail: string, line: number): never => {
    throw new ConlluParseError(detail, { line, source });
  };
  const close = (line: number): void => {
    if (tokens.length === 0) fail('a sentence without words (only comments or empty nodes)', line);
    if (rangeEnd > tokens.length) {
      fail(
        `the multiword range ends at word ${rangeEnd} but the sentence has ${tokens.length} words`,
        rangeLine,
      );
    }
    for (let t = 0; t < tokens.length; t++) {
      const head = tokens[t]!.head;
      if (head !== null && head > tokens.length) {
        fail(`HEAD ${head} is outside the sentence (words 1..${tokens.length}, 0 = root)`, headLines[t]!);
      }
    }
    sentences.push({ comments, tokens });
    comments = [];
    tokens = [];
    headLines = [];
    rangeEnd = 0;
    open = false;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    const at = i + 1;
    if (line === '') {
      if (open) close(at);
      else fail('an empty line outside a sentence (sentences are separated by exactly one blank line)', at);
      continue;
    }
    if (line.trim() === '') fail('a line of only whitespace (a blank line must be empty)', at);
    open = true;
    if (line.startsWith('#')) {
      if (tokens.length > 0)
        fail('a comment line inside a sentence (comments come before its first word)', at);
      comments.push(line.replace(/^#\s?/, ''));
      continue;
    }
    const cols = line.split('\t');
    if (cols.length !== 10) fail(`expected 10 tab-separated columns, got ${cols.length}`, at);
    for (let c = 0; c < 10; c++)
      if (cols[c] === '') fail(`column ${c + 1} is empty (write "_" for a missing value)`, at);
    const idText = cols[0]!;
    const range = /^([1-9]\d{0,8})-([1-9]\d{0,8})$/.exec(idText);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (from !== tokens.length + 1 || to <= from) {
        fail(
          `multiword range ${idText} must start at the next word id ${tokens.length + 1} and end after it`,
          at,
        );
      }
      rangeEnd = to;
      rangeLine = at;
      continue;
    }
    const empty = /^(0|[1-9]\d{0,8})\.([1-9]\d{0,8})$/.exec(idText);
    if (empty) {
      if (Number(empty[1]) !== tokens.length) {
        fail(
          `empty node ${idText} must follow word ${empty[1]} (the last word so far is ${tokens.length})`,
          at,
        );
      }
      continue;
    }
    if (!/^[1-9]\d{0,8}$/.test(idText)) {
      fail(
        `expected a word id (1, 2, ...), a range (1-2) or a decimal (1.1), got ${JSON.stringify(idText.slice(0, 40))}`,
        at,
      );
    }
    const id = Number(idText);
    if (id !== tokens.length + 1) fail(`expected word id ${tokens.length + 1}, got ${id}`, at);
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
    if (head !== '_' && !/^(0|[1-9]\d{0,8})$/.test(head))
      fail(`expected a head id or "_", got ${JSON.stringify(head.slice(0, 40))}`, at);
    const headId = head === '_' ? null : Number(head);
    if (headId === id) fail(`word ${id} is its own HEAD`, at);
    tokens.push({ id, form, lemma, upos, xpos, head: headId, deprel });
    headLines.push(at);
  }
  if (open) {
    fail('the file ends inside a sentence (truncated?): every sentence ends with a blank line', lines.length);
  }
  return sentences;
}

/** Words and tags of each sentence; `column` picks UPOS (default) or XPOS. */
export function taggedSentences(
  sentences: readonly ConlluSentence[],
  column: 'upos' | 'xpos' = 'upos',
): TaggedSentence[] {
  return sentences.map((s) => ({ words: s.tokens.map((t) => t.form), tags: s.tokens.map((t) => t[column]) }));
}
