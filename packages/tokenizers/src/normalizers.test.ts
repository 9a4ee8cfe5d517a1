import { describe, expect, test } from 'vitest';
import { FormatError } from './errors.js';
import { createNormalizer, type NormalizerJSON } from './normalizers.js';

describe('createNormalizer', () => {
  test.each<[NormalizerJSON, string, string]>([
    [{ type: 'NFC' }, 'e\u0301', '\u00e9'],
    [{ type: 'NFD' }, '\u00e9', 'e\u0301'],
    [{ type: 'NFKC' }, '\ufb01 \u2460', 'fi 1'],
    [{ type: 'NFKD' }, '\u2460\u00e9', '1e\u0301'],
    [{ type: 'Lowercase' }, 'HeLLo ΣΑΣ', 'hello σας'],
    [{ type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] }, 'ＡＢＣ', 'abc'],
  ])('%j maps %j to %j', (json, input, expected) => {
    expect(createNormalizer(json).normalize(input)).toBe(expected);
  });

  test('is piecewise at whitespace boundaries (the property offsets and streaming rely on)', () => {
    const n = createNormalizer({ type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] });
    const a = 'ΟΔΟΣ e';
    const b = '\u0301 ﬁ\u00a0x';
    const whole = n.normalize(a + b);
    expect(whole).toBe('οδος é ﬁ x'.replace('ﬁ', 'fi'));
    for (let cut = 0; cut <= (a + b).length; cut++) {
      const text = a + b;
      if (!/\s/.test(text[cut] ?? '')) continue;
      expect(n.normalize(text.slice(0, cut)) + n.normalize(text.slice(cut))).toBe(whole);
    }
  });

  test('rejects an unknown type, naming the path and the known types', () => {
    const bad = { type: 'Strip' } as unknown as NormalizerJSON;
    expect(() => createNormalizer({ type: 'Sequence', normalizers: [bad] })).toThrow(FormatError);
    expect(() => createNormalizer({ type: 'Sequence', normalizers: [bad] })).toThrow(
      /normalizer\.normalizers\[0\]\.type: unknown normalizer type "Strip"; expected one of 'NFC'/,
    );
  });
});
