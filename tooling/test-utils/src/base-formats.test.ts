// Fuzz tests of @strand/base's own file format (vocabulary JSON). They live here because base cannot
// depend on test-utils (test-utils depends on base).
import { createVocabulary, decodeUtf8, SPECIAL_TOKENS, StrandError, Vocabulary } from '@strand/base';
import { describe, expect, it } from 'vitest';
import { fuzzReader } from './fuzz.js';

/** An independent strict reader of vocabulary JSON: what an accepted file must mean. */
function referenceTokens(bytes: Uint8Array): string[] {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const json = JSON.parse(text) as { version?: unknown; type?: unknown; tokens?: unknown };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('not an object');
  if (json.version !== 1 || json.type !== 'Vocabulary') throw new Error('wrong header');
  const tokens = json.tokens;
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) throw new Error('tokens');
  if (SPECIAL_TOKENS.some((s, i) => tokens[i] !== s)) throw new Error('specials');
  if (new Set(tokens).size !== tokens.length) throw new Error('duplicates');
  return tokens;
}

/** The reader under test: strict UTF-8, then the depth-bounded strict vocabulary parser. */
const read = (bytes: Uint8Array) =>
  Vocabulary.parse(decodeUtf8(bytes, { format: 'vocabulary JSON', source: 'vocab.json' }), {
    source: 'vocab.json',
  });

describe('vocabulary JSON under hostile input', () => {
  const vocab = createVocabulary(['the', 'cat', 'é', '😀', 'a"b', '\\n', '12', 'null']);
  const input = JSON.stringify(vocab.toJSON());

  it('fuzz: 800 seeded mutations give the reference result or a typed error, fast', async () => {
    const report = await fuzzReader({
      input,
      count: 800,
      seed: 17,
      read,
      reference: referenceTokens,
      project: (v) => [...v.tokens],
    });
    expect(report.rejected).toBeGreaterThan(400);
    expect(report.accepted).toBeGreaterThan(0);
  });

  it('round trip: parse(JSON.stringify(v)) equals v for seeded random vocabularies', () => {
    let seed = 1;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = ['a', 'é', '"', '\\', '\n', '\u0000', '😀', '\u2028', '<', '>', ' '];
    for (let k = 0; k < 200; k++) {
      const tokens = Array.from({ length: Math.floor(rand() * 30) }, () =>
        Array.from(
          { length: Math.floor(rand() * 5) },
          () => alphabet[Math.floor(rand() * alphabet.length)],
        ).join(''),
      );
      const v = createVocabulary(tokens);
      const back = Vocabulary.parse(JSON.stringify(v));
      expect(back.tokens).toEqual(v.tokens);
      expect(back.toJSON()).toEqual(v.toJSON());
    }
  });

  it('errors are StrandErrors with the file name', () => {
    try {
      read(new TextEncoder().encode('{"version":1,"type":"Vocabulary","tokens":[1]}'));
    } catch (e) {
      expect(e).toBeInstanceOf(StrandError);
      expect((e as Error).message).toMatch(/^vocabulary JSON vocab\.json at \$\.tokens\[0\]/);
    }
  });
});
