import { readFileSync } from 'node:fs';
import { dataPath, hasData } from '@strand/test-utils';
import { describe, expect, it } from 'vitest';
import { close } from '../test/helpers.js';
import { parseArpa } from './arpa-read.js';
import { toArpa } from './arpa-write.js';
import { trainNgramLm } from './ngram-train.js';

// The same tokenisation and 90/10 split as scripts/corpus.mjs.
const WORD = /[A-Za-z]+(?:'[A-Za-z]+)*|[0-9]+|[^\sA-Za-z0-9]/g;

describe.skipIf(!hasData('tinyshakespeare', 'input.txt'))('word trigrams on tiny Shakespeare', () => {
  const text = hasData('tinyshakespeare', 'input.txt')
    ? readFileSync(dataPath('tinyshakespeare', 'input.txt'), 'utf8')
    : '';
  const cut = text.indexOf('\n', Math.floor(text.length * 0.9));
  const lines = (s: string) =>
    s
      .split('\n')
      .map((l) => l.match(WORD) ?? [])
      .filter((t) => t.length > 0);
  const train = lines(text.slice(0, cut));
  const valid = lines(text.slice(cut + 1));

  it('orders the smoothing methods as expected on held-out text (measured perplexities in comments)', () => {
    const ppl = (kind: 'witten-bell' | 'kneser-ney' | 'modified-kneser-ney') =>
      trainNgramLm(train, { order: 3, smoothing: { kind } }).perplexity(valid);
    const mkn = ppl('modified-kneser-ney'); // 178.5
    const kn = ppl('kneser-ney'); // 184.2
    const wb = ppl('witten-bell'); // 235.3
    expect(mkn).toBeGreaterThan(170);
    expect(mkn).toBeLessThan(187);
    expect(kn).toBeGreaterThan(mkn);
    expect(wb).toBeGreaterThan(kn);
    expect(wb).toBeLessThan(250);
  });

  it('survives an ARPA round trip and stays normalised', () => {
    const lm = trainNgramLm(train.slice(0, 3000), { order: 3, smoothing: { kind: 'modified-kneser-ney' } });
    const back = parseArpa(toArpa(lm));
    close(back.perplexity(valid.slice(0, 300)), lm.perplexity(valid.slice(0, 300)), 0, 1e-8);
    for (const ctx of [['<bos>'], ['I', 'will'], ['the'], ['First', 'Citizen']]) {
      close(
        back.distribution(ctx).reduce((a, b) => a + b, 0),
        1,
        1e-8,
      );
    }
  });
});
