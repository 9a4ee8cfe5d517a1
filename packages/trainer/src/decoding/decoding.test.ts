import { InputError, Rng } from '@strand/base';
import { disposeParameters } from '@strand/core';
import { expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LanguageModel, languageModel } from '../models/language-model.js';
import { beamSearch, lengthPenalty } from './beam-search.js';
import { generate, greedy, sample } from './generate.js';
import { chooseToken, resolveSampling, samplingDistribution } from './logits.js';

/** Next-token log-probabilities after `prefix`, by one full forward from the zero state (no stepping). */
function nextLogProbs(lm: LanguageModel, prefix: readonly number[]): number[] {
  return tf.tidy(() => {
    const s = lm.initialState(1);
    const { logits } = lm.forward(tf.tensor2d([...prefix], [1, prefix.length], 'int32'), s, {
      training: false,
    });
    const last = tf.logSoftmax(logits).arraySync()[0]![prefix.length - 1]!;
    return last;
  });
}

/** log p(tokens | prompt) by full forwards. */
function continuationLogProb(
  lm: LanguageModel,
  prompt: readonly number[],
  tokens: readonly number[],
): number {
  let total = 0;
  for (let i = 0; i < tokens.length; i++)
    total += nextLogProbs(lm, [...prompt, ...tokens.slice(0, i)])[tokens[i]!]!;
  return total;
}

describe('sampling distribution (hand-computed cases)', () => {
  const logits = [0, Math.log(2), Math.log(3)];
  const dist = (o: Parameters<typeof resolveSampling>[0], context: number[] = []) =>
    Array.from(samplingDistribution(logits, context, resolveSampling(o)));
  const close = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 12);
  };

  it('softmax, temperature, top-k, top-p and the repetition penalty', () => {
    close(dist({}), [1 / 6, 2 / 6, 3 / 6]);
    close(dist({ temperature: 0.5 }), [1 / 14, 4 / 14, 9 / 14]); // p^(1/T) = p^2
    close(dist({ topK: 2 }), [0, 2 / 5, 3 / 5]);
    close(dist({ topP: 0.5 }), [0, 0, 1]); // the top token alone reaches 0.5
    close(dist({ topP: 0.6 }), [0, 2 / 5, 3 / 5]);
    // CTRL's penalty: a positive logit is divided by it (ln 3 / 2 -> sqrt 3), a zero one stays.
    const z = 1 + 2 + Math.sqrt(3);
    close(dist({ repetitionPenalty: 2 }, [2, 0, 2]), [1 / z, 2 / z, Math.sqrt(3) / z]);
  });

  it('draws follow the distribution and a seed fixes them', () => {
    const o = resolveSampling({ temperature: 0.5 });
    const rng = new Rng(7);
    const counts = [0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[chooseToken(logits, [], o, rng)]!++;
    const want = [1 / 14, 4 / 14, 9 / 14];
    for (let i = 0; i < 3; i++) expect(Math.abs(counts[i]! / n - want[i]!)).toBeLessThan(0.012);
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 50 }, () => chooseToken(logits, [], resolveSampling({}), r));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('rejects invalid options by name', () => {
    expect(() => resolveSampling({ topP: 0 })).toThrow(/topP/);
    expect(() => resolveSampling({ temperature: -1 })).toThrow(/temperature/);
    expect(() => resolveSampling({ topK: 1.5 })).toThrow(/topK/);
  });
});

// WebGPU in Node cannot read tensors synchronously (tfjs' readSync needs OffscreenCanvas), and the
// models' logProb/streamLoss, the decoders' stepper and these tests' checks read synchronously, so
// they run on cpu and wasm; the optimizers and losses run on WebGPU too (see their tests), and the
// playground trains on WebGPU in Chromium.
describe.each(testBackends().filter((b) => b !== 'webgpu'))('decoding a tiny LSTM on %s', (backend) => {
  let lm: LanguageModel;
  beforeAll(async () => {
    await useTestBackend(backend);
    lm = languageModel({ vocabSize: 4, units: 5, layers: 2, seed: 11 });
  });
  afterAll(() => disposeParameters(lm.params));

  it('greedy decoding is the argmax chain of full forwards (the state is carried, not recomputed wrongly)', async () => {
    const prompt = [1, 2];
    const got = await expectNoLeakedTensors(() => Array.from(greedy(lm, prompt, { maxTokens: 6 })));
    const want: number[] = [];
    for (let i = 0; i < 6; i++) {
      const lp = nextLogProbs(lm, [...prompt, ...want]);
      want.push(lp.indexOf(Math.max(...lp)));
    }
    expect(got).toEqual(want);
  });

  it('seeded sampling is reproducible, and generate streams the same tokens', async () => {
    const a = sample(lm, [0], { maxTokens: 20, seed: 5, topP: 0.9 });
    const b = sample(lm, [0], { maxTokens: 20, seed: 5, topP: 0.9 });
    const c = sample(lm, [0], { maxTokens: 20, seed: 6, topP: 0.9 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const streamed: number[] = [];
    await expectNoLeakedTensors(async () => {
      for await (const t of generate(lm, [0], { maxTokens: 20, seed: 5, topP: 0.9 })) streamed.push(t);
    });
    expect(streamed).toEqual(Array.from(a));
    // Breaking out early frees the state too.
    await expectNoLeakedTensors(async () => {
      for await (const _ of generate(lm, [0], { maxTokens: 20, seed: 5 })) break;
    });
    const stopped = sample(lm, [0], { maxTokens: 20, seed: 5, topP: 0.9, onToken: (_t, i) => i < 2 });
    expect(stopped.length).toBe(3);
    expect(lm.sample(10, { seed: 2 }).length).toBe(10);
    expect(() => sample(lm, [], { maxTokens: 3 })).toThrow(InputError);
  });

  it('beam search equals brute-force enumeration, with and without GNMT length normalisation', async () => {
    const V = 4;
    const eos = 3;
    const prompt = [0, 1];
    const maxTokens = 3;
    // Every continuation: stops at eos or after maxTokens tokens.
    const all: number[][] = [];
    const grow = (prefix: number[]) => {
      for (let v = 0; v < V; v++) {
        const next = [...prefix, v];
        if (v === eos || next.length === maxTokens) all.push(next);
        else grow(next);
      }
    };
    grow([]);
    const scored = all.map((tokens) => ({ tokens, logProb: continuationLogProb(lm, prompt, tokens) }));
    for (const alpha of [0, 0.6, 1.5]) {
      const best = scored
        .map((h) => ({ ...h, score: h.logProb / lengthPenalty(h.tokens.length, alpha) }))
        .sort((a, b) => b.score - a.score);
      const beams = await expectNoLeakedTensors(() =>
        beamSearch(lm, prompt, { beamWidth: 64, maxTokens, eosId: eos, lengthPenalty: alpha, numReturn: 5 }),
      );
      for (let k = 0; k < 5; k++) {
        expect(Array.from(beams[k]!.tokens)).toEqual(best[k]!.tokens);
        expect(beams[k]!.logProb).toBeCloseTo(best[k]!.logProb, 4);
        expect(beams[k]!.score).toBeCloseTo(best[k]!.score, 4);
      }
    }
    // A narrow beam prunes, but every hypothesis' log-probability is still exact (beams reordered right).
    for (const h of beamSearch(lm, prompt, { beamWidth: 2, maxTokens: 4, eosId: eos })) {
      expect(h.logProb).toBeCloseTo(continuationLogProb(lm, prompt, Array.from(h.tokens)), 4);
    }
    // Width 1 without an end token is greedy.
    const [one] = beamSearch(lm, prompt, { beamWidth: 1, maxTokens: 4 });
    expect(Array.from(one!.tokens)).toEqual(Array.from(greedy(lm, prompt, { maxTokens: 4 })));
  });
});
