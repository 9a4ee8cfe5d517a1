import { describe, expect, test } from 'vitest';
import { FormatError } from './errors.js';
import { patterns } from './patterns.js';
import { createPreTokenizer, type PreTokenizerJSON } from './pre-tokenizers.js';

function pieces(json: PreTokenizerJSON, text: string): [string, number][] {
  const out: [string, number][] = [];
  createPreTokenizer(json).split(text, (piece, start) => out.push([piece, start]));
  return out;
}

describe('Split pre-tokenizer', () => {
  test('words: whitespace dropped, offsets kept', () => {
    expect(
      pieces({ type: 'Split', pattern: patterns.words, dropWhitespace: true }, " Hi,  you're\tok."),
    ).toEqual([
      ['Hi', 1],
      [',', 3],
      ["you're", 6],
      ['ok', 13],
      ['.', 15],
    ]);
  });

  test('text between matches becomes a piece, so nothing is lost', () => {
    const json: PreTokenizerJSON = { type: 'Split', pattern: '[a-z]+', dropWhitespace: false };
    expect(pieces(json, 'ab12cd  ')).toEqual([
      ['ab', 0],
      ['12', 2],
      ['cd', 4],
      ['  ', 6],
    ]);
    expect(pieces({ ...json, dropWhitespace: true }, 'ab1 2 cd  ')).toEqual([
      ['ab', 0],
      ['1', 2],
      ['2', 4],
      ['cd', 6],
    ]);
  });

  test('empty matches do not loop and skipped characters are kept', () => {
    expect(pieces({ type: 'Split', pattern: 'a*', dropWhitespace: false }, 'baa😀a')).toEqual([
      ['b', 0],
      ['aa', 1],
      ['😀', 3],
      ['a', 5],
    ]);
  });

  test('pieces tile the text exactly for the cl100k pattern', () => {
    const text = "It's 2024!\r\n  Ünïcödé 👍🏽 \ud800 ok";
    const got = pieces({ type: 'Split', pattern: patterns.cl100k, dropWhitespace: false }, text);
    expect(got.map(([p]) => p).join('')).toBe(text);
    let at = 0;
    for (const [piece, start] of got) {
      expect(start).toBe(at);
      at += piece.length;
    }
  });

  test('is re-entrant', () => {
    const pre = createPreTokenizer({ type: 'Split', pattern: '\\w+', dropWhitespace: true });
    const out: string[] = [];
    pre.split('ab cd', (piece) => {
      out.push(piece);
      pre.split('x y', (inner) => out.push(inner));
    });
    expect(out).toEqual(['ab', 'x', 'y', 'cd', 'x', 'y']);
  });

  test('malformed JSON names the field', () => {
    const bad = { type: 'Split', pattern: 7, dropWhitespace: true } as unknown as PreTokenizerJSON;
    expect(() => createPreTokenizer(bad)).toThrow(FormatError);
    expect(() => createPreTokenizer(bad)).toThrow(
      'at preTokenizer.pattern: expected a string, got the number 7',
    );
    const unknown = { type: 'Whitespace' } as unknown as PreTokenizerJSON;
    expect(() => createPreTokenizer(unknown)).toThrow(/unknown pre-tokenizer type "Whitespace"/);
  });
});
