import { describe, expect, test } from 'vitest';
import { fromByteLevel, toByteLevel } from './byte-level.js';

describe('byte-level map', () => {
  test('the GPT-2 examples', () => {
    expect(toByteLevel(' the')).toBe('Ġthe');
    expect(toByteLevel('\n')).toBe('Ċ');
    expect(toByteLevel('\t')).toBe('ĉ');
    expect(toByteLevel('\x00')).toBe('Ā');
    expect(toByteLevel('\xad')).toBe('Ń');
    expect(toByteLevel('\xc3\xa9')).toBe('Ã©');
  });

  test('round-trips all 256 bytes and rejects characters outside the map', () => {
    let all = '';
    for (let b = 0; b < 256; b++) all += String.fromCharCode(b);
    const text = toByteLevel(all);
    expect(new Set(text).size).toBe(256);
    expect(fromByteLevel(text)).toBe(all);
    expect(fromByteLevel('Ġa b')).toBeUndefined();
    expect(fromByteLevel('δ')).toBeUndefined();
  });
});
