import { readFileSync } from 'node:fs';
import { dataPath, hasData } from '@strand/test-utils';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import gpt2 from 'js-tiktoken/ranks/gpt2';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, test } from 'vitest';
import { FormatError } from './errors.js';
import { compilePattern, patterns, resolvePattern, translatePattern } from './patterns.js';
import { hardStrings } from './testing/hard-strings.js';

const split = (pattern: string, text: string) => text.match(compilePattern(pattern)) ?? [];

/** tiktoken's current cl100k pattern, in Rust syntax with possessive quantifiers. */
const cl100kRust = String.raw`'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`;

describe('patterns', () => {
  test('the tiktoken presets are the patterns js-tiktoken ships', () => {
    expect(patterns.cl100k).toBe(cl100k.pat_str);
    expect(patterns.gpt2).toBe(gpt2.pat_str);
    expect(resolvePattern('cl100k')).toBe(cl100k.pat_str);
    expect(resolvePattern('\\w+')).toBe('\\w+');
  });

  test('the o200k preset splits like the js-tiktoken one on hard strings', () => {
    for (const text of hardStrings) expect(split(patterns.o200k, text)).toEqual(split(o200k.pat_str, text));
  });

  test('cl100k splits contractions, digits in threes and whitespace runs', () => {
    expect(split(patterns.cl100k, "I'LL pay 1234567 now\n\n  ok  ")).toEqual([
      'I',
      "'LL",
      ' pay',
      ' ',
      '123',
      '456',
      '7',
      ' now',
      '\n\n',
      ' ',
      ' ok',
      '  ',
    ]);
  });

  test('words keeps inner apostrophes and isolates punctuation', () => {
    expect(split(patterns.words, "Don't, o'er-leap!")).toEqual(["Don't", ',', "o'er", '-', 'leap', '!']);
  });

  test('compilePattern names the bad pattern', () => {
    expect(() => compilePattern('(', 'preTokenizer.pattern')).toThrow(FormatError);
    expect(() => compilePattern('(', 'preTokenizer.pattern')).toThrow(
      /preTokenizer\.pattern: invalid pattern "\("/,
    );
  });
});

describe('translatePattern', () => {
  test.each([
    ['a++b', String.raw`(?=(?<possessive0>a+))\k<possessive0>b`],
    ['[ab]?+c*+', String.raw`(?=(?<possessive0>[ab]?))\k<possessive0>(?=(?<possessive1>c*))\k<possessive1>`],
    [String.raw`\p{N}{1,3}+`, String.raw`(?=(?<possessive0>\p{N}{1,3}))\k<possessive0>`],
    ["'(?i:[sd]|ll)", "'(?:[sdSD]|[lL][lL])"],
    ['(?i:[a-c]x)', '(?:[a-cA-C][xX])'],
    ['(?P<w>a)+?', '(?<w>a)+?'],
    [String.raw`\Aa\z`, '^a$'],
    ['a{2}b{', String.raw`a{2}b\{`],
  ])('%s -> %s', (source, expected) => {
    expect(translatePattern(source)).toBe(expected);
  });

  test('possessive cl100k (Rust syntax) splits exactly like the js-tiktoken pattern', () => {
    const translated = translatePattern(cl100kRust);
    for (const text of hardStrings) expect(split(translated, text)).toEqual(split(patterns.cl100k, text));
  });

  test.skipIf(!hasData('tinyshakespeare', 'input.txt'))('... and on all of tiny Shakespeare', () => {
    const text = readFileSync(dataPath('tinyshakespeare', 'input.txt'), 'utf8');
    const a = split(translatePattern(cl100kRust), text);
    const b = split(patterns.cl100k, text);
    expect(a.length).toBe(b.length);
    expect(a).toEqual(b);
  });

  test('rejects unbalanced input with a typed error', () => {
    expect(() => translatePattern('(a')).toThrow(FormatError);
    expect(() => translatePattern('a)')).toThrow(/unbalanced '\)' at 1/);
    expect(() => translatePattern('[ab')).toThrow(/unterminated character class/);
  });
});
