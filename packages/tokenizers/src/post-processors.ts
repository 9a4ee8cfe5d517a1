/** Stage 4: wraps a sequence's ids in special tokens (`<bos> ... <eos>`). */
import { tokenizerError } from './errors.js';
import { check, expectTyped, unknownType } from './json-checks.js';
import type { SpecialTokens } from './special-tokens.js';

export type PostProcessorJSON = {
  readonly type: 'Template';
  /** Special-token contents placed before the sequence, e.g. ['<bos>']. */
  readonly prefix: readonly string[];
  /** Special-token contents placed after the sequence, e.g. ['<eos>']. */
  readonly suffix: readonly string[];
};

/** The ids to add around every sequence. */
export interface PostProcessor {
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
}

const postProcessorTypes = ['Template'] as const;

export function createPostProcessor(
  json: PostProcessorJSON,
  specials: SpecialTokens,
  path = 'postProcessor',
): PostProcessor {
  expectTyped(json, path);
  switch (json.type) {
    case 'Template': {
      const resolve = (field: 'prefix' | 'suffix') =>
        check.stringArray(json[field], `${path}.${field}`).map((content, i) => {
          const id = specials.byContent.get(content);
          if (id === undefined) {
            throw tokenizerError(`${JSON.stringify(content)} is not a special token of this tokenizer`, {
              path: `${path}.${field}[${i}]`,
            });
          }
          return id;
        });
      return { prefix: resolve('prefix'), suffix: resolve('suffix') };
    }
    default:
      return unknownType('post-processor', json.type, path, postProcessorTypes);
  }
}
