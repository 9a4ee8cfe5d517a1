/**
 * Stage 3: a piece -> token ids. Char, word and BPE tokenizers differ only here.
 *
 * A model's vocabulary is a table of ids. Special tokens (`<pad>`, `<unk>`, ...) are not model tokens:
 * they live in the tokenizer's `specialTokens`, and the model's table has holes (`null`) at their ids.
 */
import { type BpeJSON, createBpeModel } from './bpe-model.js';
import { type CharLevelJSON, createCharLevelModel } from './char-level.js';
import { expectTyped, unknownType } from './json-checks.js';
import { createWordLevelModel, type WordLevelJSON } from './word-level.js';

export type ModelJSON = CharLevelJSON | WordLevelJSON | BpeJSON;

export interface Model {
  /** One more than the largest model id. */
  readonly size: number;
  /**
   * True when encoding `a + b` always equals encoding `a` then `b` (split between code points), as for
   * characters. The stream encoder may then commit text without waiting for a piece to end.
   */
  readonly splittable: boolean;
  /**
   * Appends the ids of one piece to `ids`. Throws a VocabularyError whose position is relative to the
   * piece when a token is unknown and there is no `<unk>`.
   */
  encodePiece(piece: string, ids: number[]): void;
  /** Like `encodePiece`, and appends each token's [start, end) UTF-16 offsets within the piece. */
  tokenizePiece(piece: string, ids: number[], starts: number[], ends: number[]): void;
  /** The token's text (byte-level text for BPE, e.g. "Ġthe"), or undefined for a hole. */
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  toJSON(): ModelJSON;
}

const modelTypes = ['CharLevel', 'WordLevel', 'BPE'] as const;

/**
 * Builds a model. `specialIds` maps special-token contents to ids, so `unkToken: '<unk>'` can be resolved.
 */
export function createModel(json: ModelJSON, specialIds: ReadonlyMap<string, number>, path = 'model'): Model {
  expectTyped(json, path);
  switch (json.type) {
    case 'CharLevel':
      return createCharLevelModel(json, specialIds, path);
    case 'WordLevel':
      return createWordLevelModel(json, specialIds, path);
    case 'BPE':
      return createBpeModel(json, path);
    default:
      return unknownType('model', json, path, modelTypes);
  }
}
