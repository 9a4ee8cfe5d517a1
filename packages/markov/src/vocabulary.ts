/**
 * Word <-> id mapping for n-gram language models, with KenLM's special ids:
 * `<unk>` = 0, `<s>` = 1, `</s>` = 2. Words outside the vocabulary map to `<unk>`.
 */
import { MarkovInputError } from './errors.js';

export const UNK = '<unk>';
export const BOS = '<s>';
export const EOS = '</s>';
export const UNK_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;

export class Vocabulary {
  /** Tokens by id; the first three are `<unk>`, `<s>`, `</s>`. */
  readonly tokens: readonly string[];
  private readonly index: Map<string, number>;

  constructor(tokens: readonly string[]) {
    if (tokens[UNK_ID] !== UNK || tokens[BOS_ID] !== BOS || tokens[EOS_ID] !== EOS) {
      throw new MarkovInputError({
        what: 'vocabulary tokens',
        expected: `"${UNK}", "${BOS}", "${EOS}" as ids 0, 1, 2`,
        received: JSON.stringify(tokens.slice(0, 3)),
        hint: 'build vocabularies with createVocabulary or buildVocabulary',
      });
    }
    this.tokens = tokens;
    this.index = new Map();
    tokens.forEach((t, i) => {
      if (this.index.has(t)) {
        throw new MarkovInputError({
          what: `vocabulary token ${i}`,
          expected: 'distinct tokens',
          received: `a second "${t}"`,
        });
      }
      this.index.set(t, i);
    });
  }

  /** Number of ids, specials included. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token, or UNK_ID (0) when it is not in the vocabulary. */
  id(token: string): number {
    return this.index.get(token) ?? UNK_ID;
  }

  has(token: string): boolean {
    return this.index.has(token);
  }

  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined) {
      throw new MarkovInputError({
        what: 'token id',
        expected: `an integer in [0, ${this.size})`,
        received: String(id),
      });
    }
    return t;
  }

  /** Maps tokens to ids (unknown tokens to `<unk>`). */
  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.id(tokens[i]!);
    return out;
  }

  decode(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) => this.token(id));
  }
}

/** A vocabulary of the given words, in order, after the three specials (which are skipped if present). */
export function createVocabulary(words: Iterable<string>): Vocabulary {
  const tokens = [UNK, BOS, EOS];
  const seen = new Set(tokens);
  for (const w of words) {
    if (!seen.has(w)) {
      seen.add(w);
      tokens.push(w);
    }
  }
  return new Vocabulary(tokens);
}

export interface BuildVocabularyOptions {
  /** Words seen fewer times become `<unk>` (so `<unk>` gets training counts). Default 1 (keep all). */
  readonly minCount?: number;
  /** Keep at most this many ids (specials included), the most frequent words first. */
  readonly maxSize?: number;
}

/** A vocabulary from tokenised sentences: most frequent words first (ties in code-point order). */
export function buildVocabulary(
  sentences: readonly (readonly string[])[],
  { minCount = 1, maxSize = Number.POSITIVE_INFINITY }: BuildVocabularyOptions = {},
): Vocabulary {
  const counts = new Map<string, number>();
  for (const s of sentences) for (const w of s) counts.set(w, (counts.get(w) ?? 0) + 1);
  for (const special of [UNK, BOS, EOS]) counts.delete(special);
  const words = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, Math.max(0, maxSize - 3))
    .map(([w]) => w);
  return createVocabulary(words);
}
