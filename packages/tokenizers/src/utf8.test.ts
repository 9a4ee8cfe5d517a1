import { describe, expect, test } from 'vitest';
import { hardStrings } from './testing/hard-strings.js';
import { byteStringToBytes, decodeUtf8, isAscii, utf8ByteSpans, utf8ByteString } from './utf8.js';

const hex = (bytes: string) =>
  Array.from(byteStringToBytes(bytes), (b) => b.toString(16).padStart(2, '0')).join(' ');

describe('utf8', () => {
  test('matches TextEncoder on hard strings, lone surrogates included', () => {
    const encoder = new TextEncoder();
    for (const text of hardStrings) {
      expect(byteStringToBytes(utf8ByteString(text))).toEqual(encoder.encode(text));
    }
  });

  test.each([
    ['a', '61'],
    ['é', 'c3 a9'],
    ['€', 'e2 82 ac'],
    ['😀', 'f0 9f 98 80'],
    ['\ud83d', 'ef bf bd'],
    ['\ude00\ud83d', 'ef bf bd ef bf bd'],
  ])('%j -> %s', (text, expected) => {
    expect(hex(utf8ByteString(text))).toBe(expected);
  });

  test('ASCII text is its own byte string', () => {
    expect(isAscii('plain text\n')).toBe(true);
    expect(isAscii('café')).toBe(false);
    expect(utf8ByteString('plain')).toBe('plain');
  });

  test('byte spans point at the UTF-16 character of each byte', () => {
    const { unitStart, unitEnd } = utf8ByteSpans('aé😀\ud800');
    expect(Array.from(unitStart)).toEqual([0, 1, 1, 2, 2, 2, 2, 4, 4, 4]);
    expect(Array.from(unitEnd)).toEqual([1, 2, 2, 4, 4, 4, 4, 5, 5, 5]);
  });

  test('decoding a cut character gives U+FFFD', () => {
    expect(decodeUtf8(byteStringToBytes('\xf0\x9f\x98'))).toBe('\ufffd');
    expect(decodeUtf8(byteStringToBytes(utf8ByteString('héllo 😀')))).toBe('héllo 😀');
  });
});
