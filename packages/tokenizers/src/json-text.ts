/**
 * JSON.parse with errors that name the source, line and column. Engines word (and sometimes omit) the
 * position differently, so on failure a small scanner finds the first offending character itself.
 */
import { FormatError, parseJson } from '@strand/base';
import { TOKENIZER_DOCUMENT } from './errors.js';

/** Deepest JSON nesting accepted in tokenizer files (real ones nest about 6 levels). */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses untrusted JSON text with base's `parseJson` (nesting depth bounded without recursion), and
 * words syntax errors as "expected X, got Y" at the line and column of the first offending character.
 */
export function parseJSONText(text: string, source?: string, format = TOKENIZER_DOCUMENT): unknown {
  try {
    return parseJson(text, { format, source, maxDepth: MAX_JSON_DEPTH });
  } catch (error) {
    if (!(error instanceof FormatError) || error.cause === undefined) throw error;
    // A syntax error (the depth check has no cause): the scanner below recurses at most MAX_JSON_DEPTH deep.
    const { position, expected } = findSyntaxError(text);
    const { line, column } = lineAndColumn(text, position);
    const got = position >= text.length ? 'the end of the text' : JSON.stringify(text[position]);
    throw new FormatError(
      format,
      `malformed JSON: expected ${expected}, got ${got}`,
      { source, line, column },
      { cause: error.cause },
    );
  }
}

/** 1-based line and column of a UTF-16 offset. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}

class SyntaxFound {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {}
}

/** Offset of the first character that makes `text` invalid JSON, and what was expected there. */
export function findSyntaxError(text: string): { position: number; expected: string } {
  let i = 0;
  const fail = (expected: string): never => {
    throw new SyntaxFound(i, expected);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const c of word) {
      if (text[i] !== c) fail(`"${word}"`);
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('a closing quote or an escaped control character');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++)
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('four hex digits after \\u');
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('an escape character (one of "\\/bfnrtu)');
      }
      i++;
    }
    if (i >= text.length) fail('a closing quote');
    i++;
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('a number');
    i += m![0].length;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        space();
        if (text[i] !== ':') fail("':' after the property name");
        i++;
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail("',' or '}' after the property value");
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail("',' or ']' after the array element");
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail('a value');
  };
  try {
    value();
    space();
    if (i < text.length) fail('the end of the text after the top-level value');
    return { position: text.length, expected: 'valid JSON' };
  } catch (error) {
    if (error instanceof SyntaxFound) return { position: error.position, expected: error.expected };
    throw error;
  }
}
