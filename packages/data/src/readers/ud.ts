/**
 * Universal Dependencies treebanks (UD English-EWT) for part-of-speech tagging: CoNLL-U read by
 * @strand/markov's reader, reduced to words and their UPOS tags, with strict checks and file/line
 * locations on every error.
 */
import { FormatError, isStrandError } from '@strand/base';
import { type ConlluSentence, parseConllu } from '@strand/markov';
import { inputText, type ParseOptions, type TextInput } from './text.js';

const FORMAT = 'CoNLL-U';

/** The 17 universal part-of-speech tags (https://universaldependencies.org/u/pos/). */
export const UPOS_TAGS = [
  'ADJ',
  'ADP',
  'ADV',
  'AUX',
  'CCONJ',
  'DET',
  'INTJ',
  'NOUN',
  'NUM',
  'PART',
  'PRON',
  'PROPN',
  'PUNCT',
  'SCONJ',
  'SYM',
  'VERB',
  'X',
] as const;
export type Upos = (typeof UPOS_TAGS)[number];
const UPOS_SET: ReadonlySet<string> = new Set(UPOS_TAGS);

export interface UdToken {
  readonly form: string;
  readonly upos: Upos;
}

/** A sentence: its syntactic words (multiword ranges and empty nodes left out). */
export type UdSentence = readonly UdToken[];

/** The three splits of a UD treebank, by their file-name suffix (`en_ewt-ud-train.conllu`). */
export const UD_SPLITS = ['train', 'dev', 'test'] as const;
export type UdSplit = (typeof UD_SPLITS)[number];

/**
 * Sentences of `{ form, upos }` from CoNLL-U text. Every word's UPOS must be one of the 17
 * universal tags; every other problem (column count, word ids, ...) is markov's check, reported
 * as a FormatError with the file and line.
 *
 * @example
 * const dev = parseUd(await readFile('en_ewt-ud-dev.conllu'), { source: 'en_ewt-ud-dev.conllu' }); // 2,001 sentences
 * dev[0] // [{ form: 'From', upos: 'ADP' }, { form: 'the', upos: 'DET' }, ...]
 */
export function parseUd(input: TextInput, options: ParseOptions = {}): UdSentence[] {
  const { source } = options;
  const text = inputText(input, FORMAT, source);
  let sentences: ConlluSentence[];
  try {
    sentences = parseConllu(text, source === undefined ? {} : { source });
  } catch (error) {
    throw asFormatError(error, source);
  }
  return sentences.map((s, k) =>
    s.tokens.map((t) => {
      if (!UPOS_SET.has(t.upos)) {
        throw new FormatError(
          FORMAT,
          `expected a UPOS tag (${UPOS_TAGS.join(' ')}), received ${JSON.stringify(t.upos)}`,
          {
            source,
            line: lineOfWord(text, k, t.id),
            column: undefined,
          },
        );
      }
      return { form: t.form, upos: t.upos as Upos };
    }),
  );
}

/** Which split a CoNLL-U file name is: `en_ewt-ud-dev.conllu` -> `dev`; undefined when none. */
export function udSplitOf(fileName: string): UdSplit | undefined {
  const m = /-(train|dev|test)\.conllu$/.exec(fileName);
  return m ? (m[1] as UdSplit) : undefined;
}

/** Sentences as minimal CoNLL-U (id, form, UPOS; `_` elsewhere). The inverse of `parseUd`. */
export function toConllu(sentences: readonly UdSentence[]): string {
  return sentences
    .map((s) => `${s.map((t, i) => `${i + 1}\t${t.form}\t_\t${t.upos}\t_\t_\t_\t_\t_\t_\n`).join('')}\n`)
    .join('');
}

// markov throws ConlluParseError (a FormatError); anything else is wrapped, never let through raw.
function asFormatError(error: unknown, source: string | undefined): unknown {
  if (error instanceof FormatError) return source === undefined ? error : error.withSource(source);
  if (isStrandError(error)) return error;
  const e = error as { line?: unknown; detail?: unknown; reason?: unknown; message?: unknown } | null;
  const line = typeof e?.line === 'number' && e.line > 0 ? e.line : undefined;
  const reason =
    typeof e?.detail === 'string'
      ? e.detail
      : typeof e?.reason === 'string'
        ? e.reason
        : String(e?.message ?? error);
  return new FormatError(FORMAT, reason, { source, line }, { cause: error });
}

/**
 * The 1-based line of word `id` in sentence `index`, counting sentences as markov does (a block
 * of lines between blank lines that holds at least one plain word id). Only run on errors.
 */
function lineOfWord(text: string, index: number, id: number): number | undefined {
  const lines = text.split(/\r?\n/);
  let sentence = 0;
  let words = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') {
      if (words > 0) sentence++;
      words = 0;
    } else if (/^\d+\t/.test(line)) {
      words++;
      if (sentence === index && words === id) return i + 1;
    }
  }
  return undefined;
}
