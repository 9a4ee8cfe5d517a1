import { InputError, Rng } from '@strand/base';
import { disposeParameters } from '@strand/core';
import { expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LanguageModel, languageModel } from '../models/language-model.js';
import { beamSearch, beamSearchAsync, lengthPenalty } from './beam-search.js';
import { generate, greedy, greedyAsync, sample, sampleAsync } from './generate.js';
import { chooseToken, resolveSampling, samplingDistribution } from './logits.js';
import { createStepper, createStepperAsync } from './stepper.js';

/**
 * The reference: next-token log-probabilities after a prefix by one full forward from the zero
 * state (no stepping, no carried state), read asynchronously so it runs on every backend.
 * Memoised per prefix (the brute-force beam check asks for the same prefixes many times).
 */
function fullForwards(lm: LanguageModel) {
  const memo = new Map<string, number[]>();
  const next = async (prefix: readonly number[]): Promise<number[]> => {
    const key = prefix.join(',');
    const hit = memo.get(key);
    if (hit) return hit;
    const last = tf.tidy(() => {
      const s = lm.initialState(1);
      const { logits } = lm.forward(tf.tensor2d([...prefix], [1, prefix.length], 'int32'), s, {
        training: false,
      });
      return tf.reshape(tf.slice(tf.logSoftmax(logits), [0, prefix.length - 1, 0], [1, 1, -1]), [-1]);
    });
    const v = Array.from(await last.data());
    last.dispose();
    memo.set(key, v);
    return v;
  };
  /** log p(tokens | prompt). */
  const continuation = async (prompt: readonly number[], tokens: readonly number[]): Promise<number> => {
    let total = 0;
    for (let i = 0; i < tokens.length; i++)
      total += (await next([...prompt, ...tokens.slice(0, i)]))[tokens[i]!]!;
    return total;
  };
  return { next, continuation };
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

// The decoders are written once and read the device through a driver (../reads.ts): the async
// twins (greedyAsync, sampleAsync, generate, beamSearchAsync, createStepperAsync) run on every
// backend, WebGPU included (SwiftShader in CI: tiny shapes).
describe.each(testBackends())('decoding a tiny LSTM on %s', (backend) => {
  let lm: LanguageModel;
  let ref: ReturnType<typeof fullForwards>;
  beforeAll(async () => {
    await useTestBackend(backend);
    lm = languageModel({ vocabSize: 4, units: 5, layers: 2, seed: 11 });
    ref = fullForwards(lm);
  });
  afterAll(() => disposeParameters(lm.params));

  it('greedy decoding is the argmax chain of full forwards (the state is carried, not recomputed wrongly)', async () => {
    const prompt = [1, 2];
    const got = await expectNoLeakedTensors(async () =>
      Array.from(await greedyAsync(lm, prompt, { maxTokens: 6 })),
    );
    const want: number[] = [];
    for (let i = 0; i < 6; i++) {
      const lp = await ref.next([...prompt, ...want]);
      want.push(lp.indexOf(Math.max(...lp)));
    }
    expect(got).toEqual(want);
  });

  it('the async stepper gives the logits of full forwards after the prompt, feeds and a beam reorder', async () => {
    await expectNoLeakedTensors(async () => {
      const stepper = await createStepperAsync(lm, [
        [1, 2],
        [3, 0],
      ]);
      await stepper.feed([0, 2]);
      stepper.select([1, 1, 0]);
      await stepper.feed([1, 3, 2]);
      const rows = [
        [3, 0, 2, 1],
        [3, 0, 2, 3],
        [1, 2, 0, 2],
      ];
      for (let r = 0; r < 3; r++) {
        const want = await ref.next(rows[r]!);
        const l = stepper.logits[r]!;
        const lse = Math.log(l.reduce((a, x) => a + Math.exp(x), 0));
        const got = Array.from(l, (x) => x - lse);
        for (let v = 0; v < 4; v++) expect(got[v]).toBeCloseTo(want[v]!, 4);
      }
      stepper.dispose();
    });
    await expect(createStepperAsync(lm, [[1], [1, 2]])).rejects.toThrow(InputError);
  });

  it('seeded sampling is reproducible, and generate streams the same tokens', async () => {
    const n = backend === 'webgpu' ? 10 : 20; // SwiftShader runs every dispatch in software
    const a = await sampleAsync(lm, [0], { maxTokens: n, seed: 5, topP: 0.9 });
    const b = await sampleAsync(lm, [0], { maxTokens: n, seed: 5, topP: 0.9 });
    const c = await sampleAsync(lm, [0], { maxTokens: n, seed: 6, topP: 0.9 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const streamed: number[] = [];
    await expectNoLeakedTensors(async () => {
      for await (const t of generate(lm, [0], { maxTokens: n, seed: 5, topP: 0.9 })) streamed.push(t);
    });
    expect(streamed).toEqual(Array.from(a));
    // Breaking out early frees the state too.
    await expectNoLeakedTensors(async () => {
      for await (const _ of generate(lm, [0], { maxTokens: 20, seed: 5 })) break;
    });
    const stopped = await sampleAsync(lm, [0], {
      maxTokens: 20,
      seed: 5,
      topP: 0.9,
      onToken: (_t, i) => i < 2,
    });
    expect(stopped.length).toBe(3);
    // Temperature 0 is greedy.
    expect(Array.from(await sampleAsync(lm, [0], { maxTokens: 5, temperature: 0 }))).toEqual(
      Array.from(await greedyAsync(lm, [0], { maxTokens: 5 })),
    );
    expect((await lm.sampleAsync(4, { seed: 2 })).length).toBe(4);
    await expect(sampleAsync(lm, [], { maxTokens: 3 })).rejects.toThrow(InputError);
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
    const scored: { tokens: number[]; logProb: number }[] = [];
    for (const tokens of all) scored.push({ tokens, logProb: await ref.continuation(prompt, tokens) });
    for (const alpha of [0, 0.6, 1.5]) {
      const best = scored
        .map((h) => ({ ...h, score: h.logProb / lengthPenalty(h.tokens.length, alpha) }))
        .sort((a, b) => b.score - a.score);
      const beams = await expectNoLeakedTensors(() =>
        beamSearchAsync(lm, prompt, {
          beamWidth: 64,
          maxTokens,
          eosId: eos,
          lengthPenalty: alpha,
          numReturn: 5,
        }),
      );
      for (let k = 0; k < 5; k++) {
        expect(Array.from(beams[k]!.tokens)).toEqual(best[k]!.tokens);
        expect(beams[k]!.logProb).toBeCloseTo(best[k]!.logProb, 4);
        expect(beams[k]!.score).toBeCloseTo(best[k]!.score, 4);
      }
    }
    // A narrow beam prunes, but every hypothesis' log-probability is still exact (beams reordered right).
    for (const h of await beamSearchAsync(lm, prompt, { beamWidth: 2, maxTokens: 4, eosId: eos })) {
      expect(h.logProb).toBeCloseTo(await ref.continuation(prompt, Array.from(h.tokens)), 4);
    }
    // Width 1 without an end token is greedy.
    const [one] = await beamSearchAsync(lm, prompt, { beamWidth: 1, maxTokens: 4 });
    expect(Array.from(one!.tokens)).toEqual(Array.from(await greedyAsync(lm, prompt, { maxTokens: 4 })));
    await expect(beamSearchAsync(lm, prompt, { beamWidth: 2, maxTokens: 2, eosId: 9 })).rejects.toThrow(
      /eosId/,
    );
  });
});

// The synchronous decoders read with dataSync, which WebGPU in Node does not have (tfjs' readSync
// needs OffscreenCanvas): they are checked on cpu and wasm, against their async twins (the same
// algorithm driven by the other reader, so equality must be exact).
describe.each(testBackends().filter((b) => b !== 'webgpu'))('synchronous decoders on %s', (backend) => {
  let lm: LanguageModel;
  beforeAll(async () => {
    await useTestBackend(backend);
    lm = languageModel({ vocabSize: 6, units: 5, layers: 2, cell: 'gru', seed: 12 });
  });
  afterAll(() => disposeParameters(lm.params));

  it('greedy, sample and the stepper give exactly what their async twins give, leaking nothing', async () => {
    const got = await expectNoLeakedTensors(() => Array.from(greedy(lm, [1, 2], { maxTokens: 8 })));
    expect(got).toEqual(Array.from(await greedyAsync(lm, [1, 2], { maxTokens: 8 })));
    for (const o of [
      { seed: 1 },
      { seed: 2, topK: 3, temperature: 0.7 },
      { seed: 3, repetitionPenalty: 1.3 },
    ]) {
      const options = { maxTokens: 15, ...o };
      const sync = await expectNoLeakedTensors(() => sample(lm, [0, 4], options));
      expect(Array.from(sync)).toEqual(Array.from(await sampleAsync(lm, [0, 4], options)));
    }
    expect(Array.from(lm.sample(12, { seed: 4 }))).toEqual(Array.from(await lm.sampleAsync(12, { seed: 4 })));
    const stopped = sample(lm, [0], { maxTokens: 20, seed: 5, onToken: (_t, i) => i < 2 });
    expect(stopped.length).toBe(3);
    expect(() => sample(lm, [], { maxTokens: 3 })).toThrow(InputError);

    const a = createStepper(lm, [[1, 2, 3]]);
    const b = await createStepperAsync(lm, [[1, 2, 3]]);
    a.feed([5]);
    await b.feed([5]);
    expect(Array.from(a.logits[0]!)).toEqual(Array.from(b.logits[0]!));
    a.dispose();
    b.dispose();
  });

  it('beamSearch gives exactly the hypotheses of beamSearchAsync', async () => {
    for (const o of [
      { beamWidth: 3, maxTokens: 5, eosId: 3 },
      { beamWidth: 4, maxTokens: 4, eosId: 0, lengthPenalty: 0.6, numReturn: 2 },
      { beamWidth: 1, maxTokens: 4 },
    ]) {
      const sync = await expectNoLeakedTensors(() => beamSearch(lm, [2, 1], o));
      expect(sync).toEqual(await beamSearchAsync(lm, [2, 1], o));
    }
  });
});
