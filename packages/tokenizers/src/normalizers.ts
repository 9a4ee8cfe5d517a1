/**
 * Stage 1 of the pipeline: text -> normalized text.
 *
 * Every normalizer here satisfies `normalize(a + b) === normalize(a) + normalize(b)` whenever `b` starts
 * with a whitespace character (whitespace never composes with what precedes it, and it ends the
 * final-sigma context of lowercasing). `alignment.ts` relies on this to map offsets back to the
 * original text, and the stream encoder relies on it to normalize text chunk by chunk.
 */
import { tokenizerError } from './errors.js';
import { check, expectTyped, MAX_STAGE_DEPTH, unknownType } from './json-checks.js';

export type NormalizerJSON =
  | { readonly type: 'NFC' }
  | { readonly type: 'NFD' }
  | { readonly type: 'NFKC' }
  | { readonly type: 'NFKD' }
  | { readonly type: 'Lowercase' }
  | { readonly type: 'Sequence'; readonly normalizers: readonly NormalizerJSON[] };

export interface Normalizer {
  normalize(text: string): string;
}

const normalizerTypes = ['NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase', 'Sequence'] as const;

/** Builds a normalizer from its JSON form; `path` names the value in error messages. */
export function createNormalizer(json: NormalizerJSON, path = 'normalizer', depth = 0): Normalizer {
  expectTyped(json, path);
  // Sequences nest; a hostile file must not be able to recurse this factory into a stack overflow.
  if (depth > MAX_STAGE_DEPTH)
    throw tokenizerError(`normalizers nested deeper than ${MAX_STAGE_DEPTH} levels`, { path });
  switch (json.type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = json.type;
      return { normalize: (text) => text.normalize(form) };
    }
    case 'Lowercase':
      // Locale-independent (no Turkish dotless i), so the same text gives the same ids everywhere.
      return { normalize: (text) => text.toLowerCase() };
    case 'Sequence': {
      const parts = check
        .array(json.normalizers, `${path}.normalizers`)
        .map((n, i) => createNormalizer(n as NormalizerJSON, `${path}.normalizers[${i}]`, depth + 1));
      return { normalize: (text) => parts.reduce<string>((t, n) => n.normalize(t), text) };
    }
    default:
      return unknownType('normalizer', json, path, normalizerTypes);
  }
}
