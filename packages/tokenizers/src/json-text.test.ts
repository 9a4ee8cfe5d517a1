import { describe, expect, test } from 'vitest';
import { FormatError } from './errors.js';
import { findSyntaxError, lineAndColumn, parseJSONText } from './json-text.js';

function errorOf(text: string): FormatError {
  try {
    parseJSONText(text, 'tok.json');
  } catch (error) {
    return error as FormatError;
  }
  throw new Error('expected a parse error');
}

describe('parseJSONText', () => {
  test('parses valid JSON', () => {
    expect(parseJSONText('{"a": [1, "x", null, true]}')).toEqual({ a: [1, 'x', null, true] });
  });

  test.each([
    ['{\n  "a": 1,\n  "b": }', 3, 8, 'malformed JSON: expected a value, got "}"'],
    ['{"a": 1', 1, 8, "expected ',' or '}' after the property value, got the end of the text"],
    ['', 1, 1, 'expected a value, got the end of the text'],
    ['[1, 2,]', 1, 7, 'expected a value, got "]"'],
    ['{"a" 1}', 1, 6, "expected ':' after the property name"],
    ['{\n"a": tru\n}', 2, 9, 'expected "true"'],
    ['{"a": "x\ny"}', 1, 9, 'expected a closing quote or an escaped control character'],
    ['{"a": 1} x', 1, 10, 'expected the end of the text after the top-level value'],
    ['{"a": 01}', 1, 8, "expected ',' or '}' after the property value"],
  ])('%j fails at line %i column %i', (text, line, column, message) => {
    const error = errorOf(text);
    expect(error).toBeInstanceOf(FormatError);
    expect(error.source).toBe('tok.json');
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message).toContain(message);
    expect(error.message.startsWith(`tokenizer tok.json:${line}:${column}: malformed JSON`)).toBe(true);
  });

  test('the scanner agrees that valid JSON is valid', () => {
    const text = JSON.stringify({ a: [1.5e-3, -2, 'é\u0000"\\'], b: { c: null, d: false } });
    expect(findSyntaxError(text)).toEqual({ position: text.length, expected: 'valid JSON' });
  });

  test('lineAndColumn', () => {
    expect(lineAndColumn('ab\ncd\ne', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\ne', 6)).toEqual({ line: 3, column: 1 });
  });
});
