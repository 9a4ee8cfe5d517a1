import { ConfigError, IdOutOfRangeError, NonFiniteError, Rng } from '@strand/base';
import { disposeParameters, namedParameters } from '@strand/core';
import { expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../checkpoint/store.js';
import type { TrainableModel } from '../model.js';
import { sequenceClassifier } from '../models/classifier.js';
import { type LanguageModel, languageModel } from '../models/language-model.js';
import { sequenceLogProbsAsync } from '../models/log-prob.js';
import { sequenceTagger } from '../models/tagger.js';
import { adam, adamw } from '../optim/adam.js';
import { reduceOnPlateau } from '../optim/plateau.js';
import { cosineAnnealing, linearWarmup } from '../optim/schedulers.js';
import { labelledData, streamData } from './data.js';
import { lmEvaluator, lmEvaluatorAsync, streamLoss, streamLossAsync } from './evaluate.js';
import { tokenCrossEntropy } from './loss.js';
import { train } from './train.js';

/** A cyclic sequence 0 1 2 3 0 1 2 3 ... with a little noise: easy to learn, not trivial. */
function patternIds(n: number, seed = 1): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, (_, i) => (rng.next() < 0.05 ? rng.int(5) : i % 4));
}

const tiny = (over: Partial<Parameters<typeof languageModel>[0]> = {}) =>
  languageModel({ vocabSize: 5, units: 8, layers: 2, dropout: 0.1, seed: 3, ...over });

/**
 * The run the resume tests repeat: LM with dropout, AdamW, warm-up + cosine, clipping. `small`
 * (WebGPU: SwiftShader runs every kernel dispatch in software) halves the chunks.
 */
function setupRun(small: boolean) {
  const model = tiny();
  const optimizer = adamw({ lr: 0.02 });
  const scheduler = linearWarmup(optimizer, {
    warmupSteps: 3,
    after: (o) => cosineAnnealing(o, { tMax: 20 }),
  });
  // 12 chunks per epoch (49 when small)
  const data = streamData(patternIds(400), { batchSize: small ? 2 : 4, chunkLength: small ? 4 : 8 });
  return { model, optimizer, scheduler, data, clip: 0.5, seed: 7 };
}

// The loop reads the device only asynchronously, and these checks do too, so they run on every
// backend, WebGPU included (SwiftShader in CI: tiny models, few steps). The synchronous evaluator
// is checked against its async twin on cpu and wasm at the end.
describe.each(testBackends())('train on %s', (backend) => {
  // WebGPU runs on SwiftShader in CI, which executes every kernel dispatch in software: shorter
  // chunks and fewer steps there, the same checks.
  const small = backend === 'webgpu';
  const setup = () => setupRun(small);
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('learns a noisy cycle with truncated BPTT and reports evaluations', async () => {
    const model = tiny({ dropout: 0, layers: small ? 1 : 2 });
    const optimizer = adam({ lr: small ? 0.05 : 0.03 });
    const ids = patternIds(2000);
    const records: Record<string, unknown>[] = [];
    const steps = small ? 12 : 80;
    const r = await train({
      model,
      optimizer,
      data: streamData(ids.subarray(0, 1600), { batchSize: small ? 2 : 4, chunkLength: small ? 5 : 10 }),
      steps,
      evalEvery: steps / 2,
      evaluate: lmEvaluatorAsync(ids.subarray(small ? 1960 : 1600), { batchSize: 2, chunkLength: 50 }),
      log: (rec) => {
        records.push(rec);
      },
    });
    expect(r.stoppedBy).toBe('steps');
    expect(r.step).toBe(steps);
    expect(r.losses[0]).toBeGreaterThan(1.4); // ~ln 5 at the start
    // The cycle is learnt (5% noise); on SwiftShader only its start (12 steps).
    expect(r.lastMetrics['valLoss']).toBeLessThan(small ? 1.3 : 0.6);
    expect(records.filter((x) => x['type'] === 'batch')).toHaveLength(steps);
    expect(records.filter((x) => x['type'] === 'eval').map((x) => x['step'])).toEqual([steps / 2, steps]);
    optimizer.dispose();
    disposeParameters(model.params);
  });

  it("streamLossAsync is the streams' log-probability, with the state carried across chunks", async () => {
    const lm = tiny({ cell: 'gru' });
    const ids = patternIds(32, 3); // 3 streams of 10 ids (2 left over): 9 predictions each
    const r = await expectNoLeakedTensors(() => streamLossAsync(lm, ids, { batchSize: 3, chunkLength: 4 }));
    const streams = [0, 1, 2].map((b) => ids.subarray(b * 10, b * 10 + 10));
    const lp = await sequenceLogProbsAsync(lm, streams, null, { chunkLength: 1000 });
    expect(r.tokens).toBe(27);
    expect(r.loss).toBeCloseTo(-(lp[0]! + lp[1]! + lp[2]!) / 27, 5);
    expect(r.bits).toBeCloseTo(r.loss / Math.LN2, 12);
    disposeParameters(lm.params);
  });

  it('carries the state across chunks and resets it at every epoch (truncated BPTT)', async () => {
    const lm = tiny();
    // |h| summed over the layers of every incoming state, kept to be read after the run.
    const stateSums: tf.Scalar[] = [];
    const spy: TrainableModel = {
      ...lm,
      config: lm.config,
      params: lm.params,
      training: 'stream',
      initialState: (b) => lm.initialState(b),
      keepState: (s) => lm.keepState(s as never),
      disposeState: (s) => lm.disposeState(s as never),
      forward: (ids, state, o) => {
        stateSums.push(
          tf.keep(
            tf.tidy(() =>
              tf.sum(
                tf.abs(
                  tf.concat(
                    (state as { h: tf.Tensor }[]).map((l) => l.h),
                    1,
                  ),
                ),
              ),
            ),
          ),
        );
        return lm.forward(ids, state as never, o);
      },
    };
    const data = streamData(patternIds(50), { batchSize: 2, chunkLength: 5 }); // 5 chunks per epoch
    const opt = adam({ lr: 0.01 });
    await train({ model: spy, data, optimizer: opt, epochs: 2 });
    const sums = await tf.stack(stateSums).data();
    tf.dispose(stateSums);
    expect(Array.from(sums, (v) => v === 0)).toEqual([
      true,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
    opt.dispose();
    disposeParameters(lm.params);
  });

  it('resumes exactly: the same losses, bit for bit, as an uninterrupted run', async () => {
    const n = small ? { total: 6, first: 3, every: 2 } : { total: 20, first: 9, every: 4 };
    const a = setup();
    const full = await train({ ...a, steps: n.total });
    a.optimizer.dispose();
    disposeParameters(a.model.params);

    const store = memoryStore();
    const b = setup();
    const first = await train({ ...b, steps: n.first, checkpoint: { store, every: n.every, keepLast: 2 } });
    expect(first.losses).toEqual(full.losses.slice(0, n.first));
    expect(await store.list()).toEqual([n.first - 1, n.first]); // every n.every plus the end, the newest two
    b.optimizer.dispose();
    disposeParameters(b.model.params);

    // A fresh process would rebuild everything: new model (other weights), optimizer and schedule.
    const c = setup();
    const rest = await train({ ...c, steps: n.total, resume: true, checkpoint: { store } });
    expect(rest.losses).toEqual(full.losses.slice(n.first));
    c.optimizer.dispose();
    disposeParameters(c.model.params);
  });

  it('the NaN guard skips a non-finite step or stops naming it, and keeps the last good checkpoint', async () => {
    const poisoned = (at: number) => {
      let calls = 0;
      return (logits: tf.Tensor, targets: tf.Tensor, mask: tf.Tensor | undefined) => {
        calls++;
        const l = tokenCrossEntropy(logits, targets, mask);
        return calls === at ? (tf.mul(l, Number.NaN) as tf.Scalar) : l;
      };
    };
    const s = setup();
    const params = namedParameters(s.model.params);
    const before = new Map<string, unknown>();
    for (const [k, v] of params) before.set(k, await v.array());
    // A skipped step changes no weight.
    const r1 = await train({ ...s, steps: 1, loss: poisoned(1) });
    expect(r1.skipped).toEqual([1]);
    for (const [k, v] of params) expect(await v.array()).toEqual(before.get(k));
    const r = await train({ ...s, steps: 5, loss: poisoned(1) });
    expect(r.skipped).toEqual([1]);
    expect(Number.isNaN(r.losses[0])).toBe(true);
    expect(r.losses.slice(1).every(Number.isFinite)).toBe(true);
    s.optimizer.dispose();
    disposeParameters(s.model.params);

    const t = setup();
    const store = memoryStore();
    const run = train({
      ...t,
      steps: 10,
      loss: poisoned(6),
      nanGuard: 'stop',
      checkpoint: { store, every: 2 },
    });
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).toMatch(/loss at step 6: expected finite numbers, received NaN/);
    expect(await store.list()).toEqual([2, 4]); // step 6 never saved
    t.optimizer.dispose();
    disposeParameters(t.model.params);
  });

  it('early stopping stops after `patience` bad evaluations and restores the best weights', async () => {
    const s = setup();
    const values = [3, 2, 2.5, 2.6, 1.0];
    let k = 0;
    let bestWeights: number[] | null = null;
    const w = namedParameters(s.model.params).get('head.kernel')!;
    const r = await train({
      ...s,
      steps: 100,
      evalEvery: 2,
      evaluate: async () => {
        const v = values[k++]!;
        if (v === 2) bestWeights = Array.from(await w.data());
        return { valLoss: v };
      },
      earlyStopping: { metric: 'valLoss', patience: 2 },
    });
    expect(r.stoppedBy).toBe('early-stopping');
    expect(r.step).toBe(8); // evaluations at 2, 4 (best), 6, 8 -> two without improvement
    expect(r.best).toEqual({ metric: 'valLoss', value: 2, step: 4 });
    expect(Array.from(await w.data())).toEqual(bestWeights);
    await expect(train({ ...s, steps: 1, earlyStopping: { metric: 'x', patience: 1 } })).rejects.toThrow(
      ConfigError,
    );
    await expect(train({ ...s })).rejects.toThrow(/steps, epochs or minutes/);
    s.optimizer.dispose();
    disposeParameters(s.model.params);
  });

  it('steps a reduce-on-plateau schedule with the evaluation metric, not every batch', async () => {
    const model = tiny();
    const optimizer = adam({ lr: 0.01 });
    const scheduler = reduceOnPlateau(optimizer, { patience: 1, factor: 0.5 });
    const vals = [3, 3, 3, 3];
    let k = 0;
    const lrs: number[] = [];
    await train({
      model,
      optimizer,
      scheduler,
      data: streamData(patternIds(200), { batchSize: 2, chunkLength: 5 }),
      steps: 8,
      evalEvery: 2,
      evaluate: () => ({ valLoss: vals[k++]! }),
      callbacks: { onBatchEnd: (e) => void lrs.push(e.lr) },
    });
    // Evaluations at 2 (best), 4 (1 bad), 6 (2 bad > patience 1: halve), 8 (cooldown 0, 1 bad).
    expect(lrs).toEqual([0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005]);
    optimizer.dispose();
    disposeParameters(model.params);
  });

  it('names an out-of-range input or target id, leaking nothing', async () => {
    const model = tiny();
    const optimizer = adam({ lr: 0.01 });
    const bad = (inputs: number[], targets: number[]) => ({
      contiguous: true,
      batchesPerEpoch: 1,
      batch: () => ({
        inputs: Int32Array.from(inputs),
        targets: Int32Array.from(targets),
        batch: 1,
        length: 3,
      }),
    });
    await expectNoLeakedTensors(async () => {
      await expect(train({ model, optimizer, data: bad([1, 2, 3], [2, 9, 4]), steps: 1 })).rejects.toThrow(
        /target at index 1: expected an integer in \[0, 5\), received 9/,
      );
      await expect(train({ model, optimizer, data: bad([1, 7, 3], [2, 3, 4]), steps: 1 })).rejects.toThrow(
        IdOutOfRangeError,
      );
    });
    optimizer.dispose();
    disposeParameters(model.params);
  });

  it('keeps the newest checkpoints and the best one', async () => {
    const s = setup();
    const store = memoryStore();
    const vals = [5, 1, 4, 3, 2, 6];
    let k = 0;
    await train({
      ...s,
      steps: 12,
      evalEvery: 2,
      evaluate: () => ({ valLoss: vals[k++]! }),
      checkpoint: { store, every: 2, keepLast: 2, metric: 'valLoss', extra: { vocab: ['a', 'b'] } },
    });
    expect(await store.list()).toEqual([4, 10, 12]); // best (1 at step 4) + the newest two
    const json = JSON.parse(store.entries.get(12)!.json);
    expect(json.best).toEqual({ metric: 'valLoss', value: 1, step: 4 });
    expect(json.extra).toEqual({ vocab: ['a', 'b'] });
    s.optimizer.dispose();
    disposeParameters(s.model.params);
  });

  it('trains a classifier and a tagger on padded batches', async () => {
    // Class = whether token 3 occurs; tags = token id parity.
    const rng = new Rng(4);
    const examples = Array.from({ length: small ? 16 : 64 }, () => {
      const ids = Array.from({ length: 2 + rng.int(6) }, () => 1 + rng.int(4));
      return { ids, label: ids.includes(3) ? 1 : 0, tags: ids.map((t) => 1 + (t % 2)) };
    });
    const clf = sequenceClassifier({ vocabSize: 5, numClasses: 2, units: 8, pooling: 'max', seed: 1 });
    const opt = adam({ lr: 0.05 });
    const r = await train({
      model: clf,
      optimizer: opt,
      data: labelledData(examples, { batchSize: 16, seed: 2 }),
      epochs: small ? 10 : 15, // small: 1 batch per epoch
    });
    expect(r.losses.slice(-4).reduce((a, b) => a + b) / 4).toBeLessThan(0.25);
    opt.dispose();
    disposeParameters(clf.params);

    const tagger = sequenceTagger({ vocabSize: 5, numTags: 3, units: 6, seed: 1 });
    const opt2 = adam({ lr: 0.05 });
    const tagged = examples.map((e) => ({ ids: e.ids, label: e.tags }));
    const r2 = await train({
      model: tagger,
      optimizer: opt2,
      data: labelledData(tagged, { batchSize: 16, seed: 2 }),
      epochs: small ? 12 : 10,
    });
    expect(r2.losses.at(-1)).toBeLessThan(0.1);
    opt2.dispose();
    disposeParameters(tagger.params);
  });
});

// streamLoss and lmEvaluator read synchronously, which WebGPU in Node cannot (tfjs' readSync needs
// OffscreenCanvas): checked on cpu and wasm against their async twins (one algorithm, two readers).
describe.each(testBackends().filter((b) => b !== 'webgpu'))('synchronous evaluation on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('streamLoss and lmEvaluator equal streamLossAsync and lmEvaluatorAsync exactly, leaking nothing', async () => {
    const lm = tiny({ cell: 'gru' });
    const ids = patternIds(90, 3);
    const o = { batchSize: 3, chunkLength: 7 };
    const sync = await expectNoLeakedTensors(() => streamLoss(lm, ids, o));
    const async = await expectNoLeakedTensors(() => streamLossAsync(lm, ids, o));
    expect(sync).toEqual(async);
    expect(sync.tokens).toBe(87);
    expect(lmEvaluator(ids, o)(lm)).toEqual(await lmEvaluatorAsync(ids, o)(lm));
    disposeParameters(lm.params);
  });
});

describe('train without leaks', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('1,000 steps with state carrying, clipping, schedule, evaluation and checkpoints leak no tensor', async () => {
    const lm: LanguageModel = languageModel({ vocabSize: 5, units: 4, layers: 2, dropout: 0.1, seed: 1 });
    const ids = patternIds(200);
    const optimizer = adamw({ lr: 0.01 });
    const scheduler = linearWarmup(optimizer, {
      warmupSteps: 10,
      after: (o) => cosineAnnealing(o, { tMax: 990 }),
    });
    const store = memoryStore();
    let live = -1;
    const data = streamData(ids, { batchSize: 2, chunkLength: 4 });
    // One step first: the optimizer's moment buffers (owned by it) exist from then on.
    await train({ model: lm, optimizer, data, steps: 1 });
    await expectNoLeakedTensors(async () => {
      const r = await train({
        model: lm,
        optimizer,
        scheduler,
        clip: 1,
        data,
        steps: 1000,
        evalEvery: 250,
        evaluate: lmEvaluator(ids.subarray(0, 60), { batchSize: 2, chunkLength: 10 }),
        checkpoint: { store, every: 100, keepLast: 1 },
        callbacks: {
          onBatchEnd: (e) => {
            if (e.step === 500) live = tf.memory().numTensors;
          },
        },
      });
      expect(r.step).toBe(1000);
      // No growth within the run either (optimizer state exists from step 1 on).
      expect(tf.memory().numTensors).toBeLessThanOrEqual(live);
    });
    optimizer.dispose();
    disposeParameters(lm.params);
  }, 60_000);
});

describe('random state resets of contiguous streams', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('draws the resets per row and chunk from the seed, never at the first chunk', () => {
    const ids = patternIds(4000);
    const a = streamData(ids, { batchSize: 8, chunkLength: 10, resetProbability: 0.25, seed: 5 });
    const b = streamData(ids, { batchSize: 8, chunkLength: 10, resetProbability: 0.25, seed: 5 });
    const c = streamData(ids, { batchSize: 8, chunkLength: 10, resetProbability: 0.25, seed: 6 });
    expect(a.batch(0, 0).resets).toBeUndefined();
    let flagged = 0;
    let rows = 0;
    let differs = false;
    for (let i = 1; i < a.batchesPerEpoch; i++) {
      const ra = a.batch(1, i).resets ?? new Uint8Array(8);
      expect(b.batch(1, i).resets ?? new Uint8Array(8)).toEqual(ra);
      if (!(c.batch(1, i).resets ?? new Uint8Array(8)).every((x, k) => x === ra[k])) differs = true;
      flagged += ra.reduce((n, x) => n + x, 0);
      rows += 8;
    }
    expect(differs).toBe(true);
    expect(flagged / rows).toBeGreaterThan(0.18);
    expect(flagged / rows).toBeLessThan(0.32);
    expect(streamData(ids, { batchSize: 8, chunkLength: 10 }).batch(0, 3).resets).toBeUndefined();
    expect(() => streamData(ids, { batchSize: 8, chunkLength: 10, resetProbability: 1.5 })).toThrow(
      ConfigError,
    );
  });

  it('a reset row starts from zeros: resetting every row equals training without carried state', async () => {
    const ids = patternIds(400);
    const always = streamData(ids, { batchSize: 4, chunkLength: 8, resetProbability: 0.999999, seed: 1 });
    const fresh = { ...always, contiguous: false };
    const run = async (data: typeof always) => {
      const model = tiny({ dropout: 0 });
      const optimizer = adam({ lr: 0.02 });
      const r = await train({ model, optimizer, data, steps: 10, seed: 2 });
      optimizer.dispose();
      disposeParameters(model.params);
      return r.losses;
    };
    const carried = async () => {
      const model = tiny({ dropout: 0 });
      const optimizer = adam({ lr: 0.02 });
      const r = await train({
        model,
        optimizer,
        data: streamData(ids, { batchSize: 4, chunkLength: 8 }),
        steps: 10,
        seed: 2,
      });
      optimizer.dispose();
      disposeParameters(model.params);
      return r.losses;
    };
    const [withResets, withoutState, withState] = [await run(always), await run(fresh), await carried()];
    expect(withResets).toEqual(withoutState);
    expect(withResets.slice(1)).not.toEqual(withState.slice(1));
    await expectNoLeakedTensors(async () => {
      await run(always);
    });
  });
});
