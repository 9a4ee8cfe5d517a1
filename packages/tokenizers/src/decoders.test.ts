import { describe, expect, test } from 'vitest';
import { createDecoder, type DecoderJSON } from './decoders.js';
import { FormatError } from './errors.js';
import { createPostProcessor } from './post-processors.js';
import { createSpecialTokens } from './special-tokens.js';

describe('decoders', () => {
  test('Concat joins characters', () => {
    expect(createDecoder({ type: 'Concat' }).decode(['a', 'b', '<eos>'], [false, false, true])).toBe(
      'ab<eos>',
    );
  });

  test('Words joins with spaces, but not before closing or after opening punctuation', () => {
    const words = createDecoder({ type: 'Words' });
    const tokens = ['(', 'Well', ',', 'sir', ')', 'she', 'said', ':', 'no', '!'];
    expect(
      words.decode(
        tokens,
        tokens.map(() => false),
      ),
    ).toBe('(Well, sir) she said: no!');
  });

  test('ByteLevel maps characters to bytes, keeps special tokens verbatim, and repairs cut characters', () => {
    const bytes = createDecoder({ type: 'ByteLevel' });
    expect(bytes.decode(['Ġthe', 'Ċ'], [false, false])).toBe(' the\n');
    // "é" is C3 A9, written "Ã" "©": split over two tokens it still decodes as one character.
    expect(bytes.decode(['Ã', '©', '<|end Ġ|>', 'Ã'], [false, false, true, false])).toBe('é<|end Ġ|>\ufffd');
  });

  test('unknown decoder types are rejected', () => {
    expect(() => createDecoder({ type: 'WordPiece' } as unknown as DecoderJSON)).toThrow(FormatError);
  });
});

describe('post-processors', () => {
  test('Template resolves contents to ids', () => {
    const specials = createSpecialTokens([
      { id: 7, content: '<bos>' },
      { id: 9, content: '<eos>' },
    ]);
    expect(
      createPostProcessor({ type: 'Template', prefix: ['<bos>'], suffix: ['<eos>', '<eos>'] }, specials),
    ).toEqual({
      prefix: [7],
      suffix: [9, 9],
    });
  });
});
