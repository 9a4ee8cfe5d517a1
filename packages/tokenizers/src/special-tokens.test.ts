import { describe, expect, test } from 'vitest';
import { ConfigError, FormatError } from './errors.js';
import {
  createSpecialTokens,
  pendingSpecialStart,
  specialMatcher,
  splitOnSpecial,
} from './special-tokens.js';

const specials = createSpecialTokens([
  { id: 0, content: '<s>' },
  { id: 1, content: '<s>x' },
  { id: 2, content: '[a.b]' },
]);

function parts(text: string, allowed: 'all' | readonly string[]): string[] {
  const out: string[] = [];
  splitOnSpecial(
    text,
    specialMatcher(specials, allowed),
    (s, e) => out.push(`text:${text.slice(s, e)}`),
    (content, start) => out.push(`special:${content}@${start}`),
  );
  return out;
}

describe('special tokens', () => {
  test('leftmost, then longest; regex characters are literal', () => {
    expect(parts('a<s>xb<s>[a.b][axb]', 'all')).toEqual([
      'text:a',
      'special:<s>x@1',
      'text:b',
      'special:<s>@6',
      'special:[a.b]@9',
      'text:[axb]',
    ]);
    expect(parts('a<s>xb', ['<s>'])).toEqual(['text:a', 'special:<s>@1', 'text:xb']);
    expect(parts('a<s>xb', 'none' as unknown as readonly string[])).toEqual(['text:a<s>xb']);
    expect(parts('', 'all')).toEqual([]);
  });

  test('allowing an unknown special token is a ConfigError', () => {
    expect(() => specialMatcher(specials, ['<pad>'])).toThrow(ConfigError);
    expect(() => specialMatcher(specials, ['<pad>'])).toThrow(
      /"<pad>", which is not a special token of this tokenizer \(<s>, <s>x, \[a\.b\]\)/,
    );
  });

  test('pendingSpecialStart finds a special token that may still be arriving', () => {
    const m = specialMatcher(specials, 'all');
    expect(pendingSpecialStart('hello <', m)).toBe(6);
    expect(pendingSpecialStart('hello [a.', m)).toBe(6);
    expect(pendingSpecialStart('hello <s', m)).toBe(6);
    expect(pendingSpecialStart('hello <s>', m)).toBe(6); // "<s>" could still become "<s>x"
    expect(pendingSpecialStart('hello', m)).toBe(5);
    expect(pendingSpecialStart('hello <', null)).toBe(7);
  });

  test('malformed lists name the entry', () => {
    expect(() => createSpecialTokens([{ id: 0, content: '' }])).toThrow(FormatError);
    expect(() =>
      createSpecialTokens([
        { id: 0, content: 'a' },
        { id: 0, content: 'b' },
      ]),
    ).toThrow('at specialTokens[1]: duplicate special token "b" (id 0)');
    expect(() => createSpecialTokens([{ id: '0', content: 'a' }])).toThrow(
      'at specialTokens[0].id: expected an integer in [0, 2097151]',
    );
  });
});
