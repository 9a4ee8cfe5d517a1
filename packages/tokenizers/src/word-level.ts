/** Word model: each pre-tokenized piece is one token, looked up whole. */
import { unknownToken } from './errors.js';
import type { Model } from './model.js';
import { indexVocab, resolveUnk } from './vocab.js';

export interface WordLevelJSON {
  readonly type: 'WordLevel';
  /** Token per id, `null` at ids owned by special tokens. */
  readonly vocab: readonly (string | null)[];
  /** Special token used for words outside `vocab`; `null` makes them an error. */
  readonly unkToken: string | null;
}

export function createWordLevelModel(
  json: WordLevelJSON,
  specialIds: ReadonlyMap<string, number>,
  path: string,
): Model {
  const ids = indexVocab(json.vocab, `${path}.vocab`, (token) =>
    token.length > 0 ? undefined : 'expected a non-empty word',
  );
  const unk = resolveUnk(json.unkToken, specialIds, `${path}.unkToken`);
  const vocab = json.vocab.slice();

  const lookup = (piece: string): number => {
    const id = ids.get(piece);
    if (id !== undefined) return id;
    if (unk < 0) throw unknownToken(piece, 0);
    return unk;
  };

  return {
    size: vocab.length,
    splittable: false,
    encodePiece(piece, out) {
      out.push(lookup(piece));
    },
    tokenizePiece(piece, out, starts, ends) {
      out.push(lookup(piece));
      starts.push(0);
      ends.push(piece.length);
    },
    idToToken: (id) => vocab[id] ?? undefined,
    tokenToId: (token) => ids.get(token),
    toJSON: () => ({ type: 'WordLevel', vocab: vocab.slice(), unkToken: json.unkToken }),
  };
}
