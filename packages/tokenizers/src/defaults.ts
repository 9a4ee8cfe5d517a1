/** Conventions shared by the tokenizer builders. */
import { BOS, EOS, positiveInteger, SPECIAL_TOKENS } from '@strand/base';
import { ConfigError } from './errors.js';
import type { PostProcessorJSON } from './post-processors.js';
import type { SpecialToken } from './special-tokens.js';

export { BOS, EOS, PAD, UNK } from '@strand/base';

/**
 * The default special tokens of every trained tokenizer: Strand's convention (packages/base/README.md),
 * `<pad>` 0, `<unk>` 1, `<bos>` 2, `<eos>` 3, so zero-padding is padding and ids agree across packages.
 */
export const defaultSpecials: readonly string[] = SPECIAL_TOKENS;

export interface WrapOptions {
  /** Put `<bos>` before every sequence. Default false. */
  readonly addBos?: boolean;
  /** Put `<eos>` after every sequence. Default false. */
  readonly addEos?: boolean;
}

export function specialList(contents: readonly string[]): SpecialToken[] {
  if (new Set(contents).size !== contents.length)
    throw new ConfigError(`special tokens repeat: ${contents.join(', ')}.`, 'specialTokens');
  return contents.map((content, id) => {
    if (content.length === 0)
      throw new ConfigError('special tokens must not be empty strings.', 'specialTokens');
    return { id, content };
  });
}

export function wrapProcessor({ addBos = false, addEos = false }: WrapOptions): PostProcessorJSON | null {
  if (!addBos && !addEos) return null;
  return { type: 'Template', prefix: addBos ? [BOS] : [], suffix: addEos ? [EOS] : [] };
}

export function checkMinFrequency(minFrequency: number): void {
  positiveInteger(minFrequency, 'minFrequency');
}

/** Compares strings by code point (JS `<` compares UTF-16 units, which misorders U+E000..U+FFFF vs astral). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Each string of a corpus is a separate document (a word or a piece never spans two). */
export function documents(corpus: string | Iterable<string>): Iterable<string> {
  return typeof corpus === 'string' ? [corpus] : corpus;
}
