import { describe, expect, test } from 'vitest';
import { BPETokenizer } from './bpe-tokenizer.js';
import { ConfigError, FormatError } from './errors.js';
import { formatTiktokenFile, parseCompressedRanks, parseTiktokenFile } from './tiktoken.js';

/** All 256 single bytes as a .tiktoken file (rank = byte), plus extra lines. */
function byteFile(extra = ''): string {
  let out = '';
  for (let b = 0; b < 256; b++) out += `${btoa(String.fromCharCode(b))} ${b}\n`;
  return out + extra;
}

function errorOf(f: () => unknown): FormatError {
  try {
    f();
  } catch (error) {
    return error as FormatError;
  }
  throw new Error('expected an error');
}

describe('.tiktoken files', () => {
  test('parse and format round trip, holes allowed', () => {
    const text = 'YQ== 0\nYg== 1\nYWI= 3\n';
    const bytes = parseTiktokenFile(text);
    expect(bytes).toEqual(['a', 'b', undefined, 'ab']);
    expect(formatTiktokenFile(bytes)).toBe(text);
    expect(parseTiktokenFile('YQ== 0\r\nYg== 1\r\n')).toEqual(['a', 'b']);
  });

  test.each([
    ['YQ== 0\nYg==1\n', 2, 1, 'expected "<base64 token> <rank>", got "Yg==1"'],
    ['YQ== 0\nY!== 1\n', 2, 1, 'expected a base64 token, got "Y!=="'],
    ['YQ== 0\nYg== x\n', 2, 6, 'expected a rank (non-negative integer), got "x"'],
    ['YQ== 0\nYg== 0\n', 2, 6, 'rank 0 appears twice'],
    ['\n\n', 1, 1, 'the rank file has no tokens'],
  ])('%j fails at line %i column %i', (text, line, column, message) => {
    const error = errorOf(() => parseTiktokenFile(text, 'cl100k_base.tiktoken'));
    expect(error).toBeInstanceOf(FormatError);
    expect([error.source, error.line, error.column]).toEqual(['cl100k_base.tiktoken', line, column]);
    expect(error.message).toBe(`.tiktoken cl100k_base.tiktoken:${line}:${column}: ${message}`);
  });

  test('a loaded file encodes by rank', () => {
    const t = BPETokenizer.fromTiktoken(byteFile(`${btoa('ab')} 256\n${btoa('abc')} 257\n`), {
      pattern: '\\S+|\\s+',
      specialTokens: { '<|end|>': 300 },
    });
    expect(t.vocabSize).toBe(301);
    expect(t.encodeIds('abc ab abd')).toEqual([257, 32, 256, 32, 256, 100]);
    expect(t.encodeIds('ab<|end|>', { allowedSpecial: 'all' })).toEqual([256, 300]);
  });

  test('a file without a pattern, or with a missing byte, is rejected', () => {
    expect(() => BPETokenizer.fromTiktoken(byteFile())).toThrow(ConfigError);
    expect(() => BPETokenizer.fromTiktoken('YQ== 0\n', { pattern: 'cl100k' })).toThrow(
      /no token for byte 0x00 .* byte-level BPE needs all 256 bytes/,
    );
  });
});

describe("js-tiktoken's compressed ranks", () => {
  test('lines of consecutive ranks', () => {
    expect(parseCompressedRanks('! 0 YQ== Yg==\n! 5 YWI=')).toEqual([
      'a',
      'b',
      undefined,
      undefined,
      undefined,
      'ab',
    ]);
  });

  test('errors name line and column', () => {
    const error = errorOf(() => parseCompressedRanks('! 0 YQ== Yg==\n! 5 YWI= ???', 'ranks'));
    expect(error.message).toBe('.tiktoken ranks:2:10: expected a base64 token, got "???"');
    expect(errorOf(() => parseCompressedRanks('! x YQ==')).message).toBe(
      '.tiktoken line 1:3: expected a rank (non-negative integer), got "x"',
    );
  });
});
