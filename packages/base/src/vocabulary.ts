/**
 * Strand's one vocabulary convention, shared by tokenizers, n-gram models, embeddings and the
 * trainer: four special tokens first, with fixed ids, then the ordinary tokens.
 *
 *   id 0  <pad>  padding of variable-length batches (never predicted, masked out of losses)
 *   id 1  <unk>  any token outside the vocabulary
 *   id 2  <bos>  beginning of a sequence (ARPA files spell it <s>)
 *   id 3  <eos>  end of a sequence (ARPA files spell it </s>)
 *
 * A `Vocabulary` is immutable; `toJSON()` gives `{ version: 1, type: 'Vocabulary', tokens }`.
 */
import { FormatError, IdOutOfRangeError, InputError, VocabularyError } from './errors.js';
import { type JsonOptions, jsonChecker, parseJson } from './json.js';

export const PAD = '<pad>';
export const UNK = '<unk>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const PAD_ID = 0;
export const UNK_ID = 1;
export const BOS_ID = 2;
export const EOS_ID = 3;
/** The special tokens in id order. */
export const SPECIAL_TOKENS: readonly string[] = [PAD, UNK, BOS, EOS];

/** What `Vocabulary.toJSON()` returns. */
export interface VocabularyJSON {
  readonly version: 1;
  readonly type: 'Vocabulary';
  readonly tokens: readonly string[];
}

export interface VocabularyOptions {
  /** What `encode`/`id` do with a token outside the vocabulary: map it to `<unk>` (default) or throw. */
  readonly unknown?: 'unk' | 'error';
}

export class Vocabulary {
  /** Tokens by id; the first four are `<pad>`, `<unk>`, `<bos>`, `<eos>`. */
  readonly tokens: readonly string[];
  readonly unknown: 'unk' | 'error';
  private readonly index: Map<string, number>;

  constructor(tokens: readonly string[], { unknown = 'unk' }: VocabularyOptions = {}) {
    for (let i = 0; i < SPECIAL_TOKENS.length; i++) {
      if (tokens[i] !== SPECIAL_TOKENS[i]) {
        throw new InputError({
          what: `vocabulary token ${i}`,
          expected: `${JSON.stringify(SPECIAL_TOKENS[i])} (ids 0-3 are ${SPECIAL_TOKENS.join(' ')})`,
          received: JSON.stringify(tokens[i]),
          hint: 'build vocabularies with createVocabulary or buildVocabulary',
        });
      }
    }
    this.tokens = Object.freeze([...tokens]);
    this.unknown = unknown;
    this.index = new Map();
    tokens.forEach((t, i) => {
      if (this.index.has(t)) {
        throw new InputError({
          what: `vocabulary token ${i}`,
          expected: 'distinct tokens',
          received: `a second ${JSON.stringify(t)}`,
        });
      }
      this.index.set(t, i);
    });
  }

  /** Number of ids, specials included. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token; `<unk>`'s id (1) for unknown tokens, or a VocabularyError with `unknown: 'error'`. */
  id(token: string, position = -1): number {
    const id = this.index.get(token);
    if (id !== undefined) return id;
    if (this.unknown === 'error') throw new VocabularyError(token, position);
    return UNK_ID;
  }

  has(token: string): boolean {
    return this.index.has(token);
  }

  /** The token of an id; IdOutOfRangeError outside [0, size). */
  token(id: number, index = -1): string {
    const t = Number.isInteger(id) ? this.tokens[id] : undefined;
    if (t === undefined) throw new IdOutOfRangeError(id, index, this.size, 'token id');
    return t;
  }

  /** Maps tokens to ids. */
  encode(tokens: Iterable<string>): Int32Array {
    const out: number[] = [];
    let i = 0;
    for (const t of tokens) out.push(this.id(t, i++));
    return Int32Array.from(out);
  }

  /** Maps ids to tokens. */
  decode(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id, i) => this.token(id, i));
  }

  toJSON(): VocabularyJSON {
    return { version: 1, type: 'Vocabulary', tokens: this.tokens };
  }

  /** Reads `toJSON()`'s output (already parsed), validating it strictly. */
  static fromJSON(json: unknown, options: { readonly source?: string } = {}): Vocabulary {
    const check = jsonChecker({ format: 'vocabulary JSON', source: options.source });
    const o = check.object(json, '$');
    if (o['version'] !== 1) check.fail('$.version', 'version 1', o['version']);
    if (o['type'] !== 'Vocabulary') check.fail('$.type', "'Vocabulary'", o['type']);
    const tokens = check.stringArray(o['tokens'], '$.tokens');
    try {
      return new Vocabulary(tokens);
    } catch (error) {
      throw new FormatError(
        'vocabulary JSON',
        (error as Error).message,
        { source: options.source, path: '$.tokens' },
        { cause: error },
      );
    }
  }

  /** Parses vocabulary JSON text (depth-bounded, strict). */
  static parse(text: string, options: Omit<JsonOptions, 'format'> = {}): Vocabulary {
    return Vocabulary.fromJSON(parseJson(text, { ...options, format: 'vocabulary JSON' }), options);
  }
}

/** A vocabulary of the given tokens, in order, after the four specials (skipped if present). */
export function createVocabulary(tokens: Iterable<string>, options?: VocabularyOptions): Vocabulary {
  const all = [...SPECIAL_TOKENS];
  const seen = new Set(all);
  for (const t of tokens) {
    if (!seen.has(t)) {
      seen.add(t);
      all.push(t);
    }
  }
  return new Vocabulary(all, options);
}

export interface BuildVocabularyOptions extends VocabularyOptions {
  /** Tokens seen fewer times are left out (they become `<unk>`). Default 1 (keep all). */
  readonly minCount?: number;
  /** Keep at most this many ids (specials included), the most frequent tokens first. */
  readonly maxSize?: number;
}

/**
 * A vocabulary from sequences of tokens (sentences of words, or strings of characters): most
 * frequent first, ties in code-point order, so the same data always gives the same ids.
 */
export function buildVocabulary(
  sequences: Iterable<Iterable<string>>,
  { minCount = 1, maxSize = Number.POSITIVE_INFINITY, ...options }: BuildVocabularyOptions = {},
): Vocabulary {
  const counts = new Map<string, number>();
  for (const s of sequences) for (const t of s) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const special of SPECIAL_TOKENS) counts.delete(special);
  const tokens = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, Math.max(0, maxSize - SPECIAL_TOKENS.length))
    .map(([t]) => t);
  return createVocabulary(tokens, options);
}
