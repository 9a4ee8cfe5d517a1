/**
 * Checks for values that come from a tokenizer document, built on base's `jsonChecker`: each names the
 * JSON path of the offending value (`model.vocab[3]: expected a string, got the number 7`).
 * Only the stage-tag helpers are tokenizer-specific.
 */
import { jsonChecker } from '@strand/base';
import { ID_LIMIT } from './bpe-merge.js';
import { TOKENIZER_DOCUMENT, tokenizerError } from './errors.js';

export const check = jsonChecker({ format: TOKENIZER_DOCUMENT });

/** Largest id a tokenizer may use: ids index tables, so a hostile file must not name id 2^31. */
export const MAX_ID = ID_LIMIT - 1;

/** Deepest nesting of `Sequence` stages accepted (the factories recurse once per level). */
export const MAX_STAGE_DEPTH = 16;

/** The `type` tag of a stage; the caller's exhaustive `switch` rejects unknown tags. */
export function expectTyped(value: unknown, path: string): { readonly type: string } {
  const object = check.object(value, path);
  check.string(object['type'], `${path}.type`);
  return object as { readonly type: string };
}

/**
 * Called in the `default:` branch of a factory's exhaustive switch. `json` is `never` there, so adding a
 * member to a union without a `case` is a compile error; at run time it rejects tags from foreign files.
 */
export function unknownType(stage: string, json: never, path: string, known: readonly string[]): never {
  // `json` is the whole stage object, or just its `type` for single-member unions.
  const value = json as unknown;
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : value;
  throw tokenizerError(
    `unknown ${stage} type ${JSON.stringify(type)}; expected one of ${known.map((k) => `'${k}'`).join(', ')}`,
    { path: `${path}.type` },
  );
}
