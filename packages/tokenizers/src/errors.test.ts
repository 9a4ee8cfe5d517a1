import {
  ConfigError as BaseConfigError,
  FormatError,
  IdOutOfRangeError,
  StrandError,
  VocabularyError,
} from '@strand/base';
import { describe, expect, test } from 'vitest';
import { CharTokenizer } from './char-tokenizer.js';
import * as errors from './errors.js';
import * as api from './index.js';

describe('errors come from @strand/base', () => {
  test('the exported classes are base classes, not copies', () => {
    expect(api.ConfigError).toBe(BaseConfigError);
    expect(api.VocabularyError).toBe(VocabularyError);
    expect(api.IdOutOfRangeError).toBe(IdOutOfRangeError);
    expect(api.FormatError).toBe(FormatError);
    // Deprecated names keep old `instanceof` checks working.
    expect(api.TokenizerError).toBe(StrandError);
    expect(api.TokenizerFormatError).toBe(FormatError);
  });

  test('tokenizer-specific errors are StrandErrors with stable codes', () => {
    const long = new errors.SequenceTooLongError(1, 6, 5);
    expect(long).toBeInstanceOf(StrandError);
    expect(long.code).toBe('ERR_SEQUENCE_TOO_LONG');
    expect([long.index, long.length, long.maxLength]).toEqual([1, 6, 5]);
    const strict = CharTokenizer.train('ab', { unknown: 'error' });
    try {
      strict.encodeIds('abc');
      expect.fail('expected a VocabularyError');
    } catch (error) {
      expect(error).toBeInstanceOf(VocabularyError);
      expect((error as VocabularyError).code).toBe('ERR_VOCABULARY');
      expect((error as VocabularyError).position).toBe(2);
    }
    const encoder = strict.streamEncoder();
    encoder.end();
    expect(() => encoder.end()).toThrow(expect.objectContaining({ code: 'ERR_STREAM_ENDED' }));
  });
});
