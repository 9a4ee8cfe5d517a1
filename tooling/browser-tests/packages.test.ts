import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitMarkovChain } from '@strand/markov';
import { BPETokenizer, CharTokenizer } from '@strand/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, haveChromium, runPageInChromium } from './harness.js';

// The library packages in a Vite browser build, in headless Chromium, checked against the same
// calls in Node and against hand-computed values. STRAND_TEST_BROWSER=1 (CI) makes a missing browser fail.
const required = process.env['STRAND_TEST_BROWSER'] === '1';
if (!haveChromium && !required) console.warn(`[skip] browser tests: no Chromium at ${chromiumPath}`);
const corpus = 'To be, or not to be, that is the question: naïve café, 東京, emoji 👩‍👩‍👧!';

interface Report {
  fatal?: string;
  charIds: number[];
  charRoundTrip: boolean;
  bpeRoundTrip: boolean;
  bpeJsonSame: boolean;
  bpeIds: number[];
  safetensors: number[];
  markovLogProb: number;
  gradWasm: number[];
  gradWebgpu: number[] | string;
}

describe.runIf(haveChromium || required)('tokenizers, embeddings, core and markov in a browser build', () => {
  let r: Report;
  beforeAll(async () => {
    expect(haveChromium, `no Chromium at ${chromiumPath}; apt-get install chromium`).toBe(true);
    r = await runPageInChromium<Report>(join(dirname(fileURLToPath(import.meta.url)), 'page'));
    expect(r.fatal).toBeUndefined();
  }, 300_000);

  it('tokenizers give the same ids as in Node and round-trip', () => {
    expect(r.charIds).toEqual(CharTokenizer.train(corpus).encodeIds('to be'));
    expect(r.bpeIds).toEqual(BPETokenizer.train(corpus.repeat(3), { vocabSize: 300 }).encodeIds(corpus));
    expect([r.charRoundTrip, r.bpeRoundTrip, r.bpeJsonSame]).toEqual([true, true, true]);
  });

  it('safetensors round-trips bytes in the browser', () => {
    expect(r.safetensors).toEqual([1.5, -2, 3, 4.25]);
  });

  it('markov runs in the browser with the same numbers as Node', () => {
    const chain = fitMarkovChain([[0, 1, 0, 1, 1, 0]], { order: 1, numSymbols: 2 });
    expect(r.markovLogProb).toBeCloseTo(chain.logProb([0, 1, 1]), 12);
  });

  it('the embedding gradient is right on wasm and WebGPU', () => {
    // d/dW sum(embed(W, [1, 3, 3, 4])): each row gets its number of lookups.
    const expected = [0, 0, 1, 1, 0, 0, 2, 2, 1, 1];
    expect(r.gradWasm).toEqual(expected);
    expect(r.gradWebgpu).toEqual(expected);
  });
});
