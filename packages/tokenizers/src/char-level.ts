/** Character model: one token per Unicode code point (a lone surrogate counts as one character). */
import { unknownToken } from './errors.js';
import type { Model } from './model.js';
import { indexVocab, resolveUnk } from './vocab.js';

export interface CharLevelJSON {
  readonly type: 'CharLevel';
  /** Token per id: one code point each, `null` at ids owned by special tokens. */
  readonly vocab: readonly (string | null)[];
  /** Special token used for characters outside `vocab`; `null` makes them an error. */
  readonly unkToken: string | null;
}

export function createCharLevelModel(
  json: CharLevelJSON,
  specialIds: ReadonlyMap<string, number>,
  path: string,
): Model {
  const ids = indexVocab(json.vocab, `${path}.vocab`, (token) =>
    [...token].length === 1 ? undefined : `expected one character, got ${JSON.stringify(token)}`,
  );
  const unk = resolveUnk(json.unkToken, specialIds, `${path}.unkToken`);
  const vocab = json.vocab.slice();
  // Code unit -> id for the BMP (-1 = unknown); astral characters go through the Map.
  const bmp = new Int32Array(0x10000).fill(-1);
  for (const [token, id] of ids) if (token.length === 1) bmp[token.charCodeAt(0)] = id;

  const unknown = (token: string, at: number): number => {
    if (unk < 0) throw unknownToken(token, at);
    return unk;
  };
  /** Id of the character at `i` (one unit, or two for a surrogate pair). */
  const idAt = (piece: string, i: number, pair: boolean): number => {
    if (!pair) {
      const id = bmp[piece.charCodeAt(i)]!;
      return id >= 0 ? id : unknown(piece[i]!, i);
    }
    const char = piece.slice(i, i + 2);
    return ids.get(char) ?? unknown(char, i);
  };

  return {
    size: vocab.length,
    splittable: true,
    encodePiece(piece, out) {
      for (let i = 0; i < piece.length; i++) {
        const pair = isPairAt(piece, i);
        out.push(idAt(piece, i, pair));
        if (pair) i++;
      }
    },
    tokenizePiece(piece, out, starts, ends) {
      for (let i = 0; i < piece.length; i++) {
        const pair = isPairAt(piece, i);
        out.push(idAt(piece, i, pair));
        starts.push(i);
        ends.push(pair ? i + 2 : i + 1);
        if (pair) i++;
      }
    },
    idToToken: (id) => vocab[id] ?? undefined,
    tokenToId: (token) => ids.get(token),
    toJSON: () => ({ type: 'CharLevel', vocab: vocab.slice(), unkToken: json.unkToken }),
  };
}

/** A high surrogate followed by a low one: one astral character. */
function isPairAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c >= 0xdc00) return false;
  const d = text.charCodeAt(i + 1);
  return d >= 0xdc00 && d < 0xe000;
}
