/**
 * Pre-tokenization patterns (JavaScript RegExp source, compiled with the `u` flag) and a translator
 * from the Rust/Oniguruma dialect used by tiktoken and HF tokenizer.json files.
 */
import { tokenizerError } from './errors.js';

/**
 * Named patterns. The tiktoken ones are the JavaScript spellings that `js-tiktoken` ships, so splits are
 * identical to it. (Python/Rust tiktoken differ from every JavaScript port on two characters: their `\s`
 * includes U+0085 and excludes U+FEFF.)
 */
export const patterns = {
  /** GPT-2, r50k_base and p50k_base. */
  gpt2: String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
  /** cl100k_base (GPT-3.5/4). */
  cl100k:
    "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)|" +
    String.raw`[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  /** o200k_base (GPT-4o). */
  o200k: [
    String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?`,
    String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?`,
    String.raw`\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  ].join('|'),
  /** Words (letters, marks and digits, with inner apostrophes: "don't", "o'er") and single punctuation marks. */
  words: String.raw`[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]`,
} as const;

export type PatternName = keyof typeof patterns;

/** A preset name or a pattern source; names resolve to the preset. */
export function resolvePattern(pattern: PatternName | string): string {
  return Object.hasOwn(patterns, pattern) ? patterns[pattern as PatternName] : pattern;
}

/** Compiles a JavaScript pattern with the `gu` flags, or throws a TokenizerFormatError naming it. */
export function compilePattern(source: string, path = 'pattern'): RegExp {
  try {
    return new RegExp(source, 'gu');
  } catch (error) {
    throw tokenizerError(
      `invalid pattern ${JSON.stringify(source)}: ${(error as Error).message}. Patterns are JavaScript ` +
        `RegExp source compiled with the 'u' flag; use translatePattern() for Rust/Oniguruma syntax.`,
      { path },
      error,
    );
  }
}

/**
 * Rewrites a Rust/Oniguruma pattern (tiktoken, HF tokenizer.json) as JavaScript RegExp source:
 * possessive quantifiers `x++ x*+ x?+ x{n,m}+` become atomic groups `(?=(?<pN>x+))\k<pN>`,
 * `(?i:...)` becomes explicit case alternatives for ASCII letters (Node 20 has no inline modifiers),
 * `(?P<name>` becomes `(?<name>`, and `\A`/`\z` become `^`/`$`. Everything else is passed through.
 */
export function translatePattern(source: string): string {
  let i = 0;
  let atomics = 0;

  function sequence(caseless: boolean): string {
    let out = '';
    let atomStart = -1;
    while (i < source.length && source[i] !== ')') {
      const c = source[i]!;
      if (c === '|') {
        out += c;
        i++;
        atomStart = -1;
      } else if (c === '(') {
        atomStart = out.length;
        out += group(caseless);
      } else if (c === '[') {
        atomStart = out.length;
        out += characterClass(caseless);
      } else if (c === '\\') {
        atomStart = out.length;
        out += escapeAtom();
      } else if ((c === '*' || c === '+' || c === '?' || c === '{') && atomStart >= 0 && quantifierAt(i)) {
        const q = quantifierAt(i)!;
        i += q.length;
        if (source[i] === '+') {
          i++;
          const name = `possessive${atomics++}`;
          out = `${out.slice(0, atomStart)}(?=(?<${name}>${out.slice(atomStart)}${q}))\\k<${name}>`;
        } else if (source[i] === '?') {
          i++;
          out += `${q}?`;
        } else out += q;
        atomStart = -1;
      } else {
        atomStart = out.length;
        i++;
        if (c === '{' || c === '}') out += `\\${c}`;
        else if (caseless && /[a-zA-Z]/.test(c)) out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
        else out += c;
      }
    }
    return out;
  }

  function group(caseless: boolean): string {
    const rest = source.slice(i);
    const prefix = /^\(\?(?:i:|i\)|:|=|!|<=|<!|P?<[A-Za-z_]\w*>)|^\(/.exec(rest)![0];
    i += prefix.length;
    if (prefix === '(?i)') {
      // A flag for the rest of the enclosing group: translate the remainder caselessly.
      return sequence(true);
    }
    const inner = sequence(caseless || prefix === '(?i:');
    if (source[i] !== ')') fail(`unbalanced parenthesis opened at ${i}`);
    i++;
    if (prefix === '(?i:') return `(?:${inner})`;
    return `${prefix.replace('(?P<', '(?<')}${inner})`;
  }

  function characterClass(caseless: boolean): string {
    const start = i;
    i++;
    if (source[i] === '^') i++;
    if (source[i] === ']') i++;
    const extra: string[] = [];
    while (i < source.length && source[i] !== ']') {
      if (source[i] === '\\') {
        i += escapeLength(i);
        continue;
      }
      const c = source[i]!;
      const range = source[i + 1] === '-' && source[i + 2] !== ']' ? source[i + 2] : undefined;
      if (caseless && /[a-zA-Z]/.test(c)) {
        const other = (s: string) => (s === s.toLowerCase() ? s.toUpperCase() : s.toLowerCase());
        extra.push(range !== undefined && /[a-zA-Z]/.test(range) ? `${other(c)}-${other(range)}` : other(c));
      }
      i += range !== undefined ? 3 : 1;
    }
    if (i >= source.length) fail(`unterminated character class opened at ${start}`);
    i++;
    return `${source.slice(start, i - 1)}${extra.join('')}]`;
  }

  function escapeAtom(): string {
    const length = escapeLength(i);
    const text = source.slice(i, i + length);
    i += length;
    if (text === '\\A') return '^';
    if (text === '\\z') return '$';
    return text;
  }

  function escapeLength(at: number): number {
    const next = source[at + 1];
    if (next === undefined) fail('pattern ends with a lone backslash');
    if ((next === 'p' || next === 'P' || next === 'x' || next === 'u') && source[at + 2] === '{') {
      const close = source.indexOf('}', at);
      if (close < 0) fail(`unterminated \\${next}{ at ${at}`);
      return close - at + 1;
    }
    if (next === 'x') return 4;
    if (next === 'u') return 6;
    return 2;
  }

  function quantifierAt(at: number): string | undefined {
    const c = source[at]!;
    if (c !== '{') return c;
    return /^\{\d+(?:,\d*)?\}/.exec(source.slice(at))?.[0];
  }

  function fail(reason: string): never {
    throw tokenizerError(`cannot translate pattern ${JSON.stringify(source)}: ${reason}`);
  }

  const out = sequence(false);
  if (i < source.length) fail(`unbalanced ')' at ${i}`);
  return out;
}
