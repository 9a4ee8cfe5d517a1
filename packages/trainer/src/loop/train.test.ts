import { ConfigError, IdOutOfRangeError, NonFiniteError, Rng } from '@strand/base';
import { disposeParameters, namedParameters } from '@strand/core';
import { expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../checkpoint/store.js';
import type { TrainableModel } from '../model.js';
import { sequenceClassifier } from '../models/classifier.js';
import { type LanguageModel, languageModel } from '../models/language-model.js';
import { sequenceTagger } from '../models/tagger.js';
import { adam, adamw } from '../optim/adam.js';
import { reduceOnPlateau } from '../optim/plateau.js';
import { cosineAnnealing, linearWarmup } from '../optim/schedulers.js';
import { labelledData, streamData } from './data.js';
import { lmEvaluator } from './evaluate.js';
import { tokenCrossEntropy } from './loss.js';
import { train } from './train.js';

/** A cyclic sequence 0 1 2 3 0 1 2 3 ... with a little noise: easy to learn, not trivial. */
function patternIds(n: number, seed = 1): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, (_, i) => (rng.next() < 0.05 ? rng.int(5) : i % 4));
}

const tiny = (over: Partial<Parameters<typeof languageModel>[0]> = {}) =>
  languageModel({ vocabSize: 5, units: 8, layers: 2, dropout: 0.1, seed: 3, ...over });

/** The run the resume tests repeat: LM with dropout, AdamW, warm-up + cosine, clipping. */
function setup() {
  const model = tiny();
  const optimizer = adamw({ lr: 0.02 });
  const scheduler = linearWarmup(optimizer, {
    warmupSteps: 3,
    after: (o) => cosineAnnealing(o, { tMax: 20 }),
  });
  const data = streamData(patternIds(400), { batchSize: 4, chunkLength: 8 }); // 12 chunks per epoch
  return { model, optimizer, scheduler, data, clip: 0.5, seed: 7 };
}

// WebGPU in Node cannot read tensors synchronously (tfjs' readSync needs OffscreenCanvas), and the
// models' logProb/streamLoss, the decoders' stepper and these tests' checks read synchronously, so
// they run on cpu and wasm; the optimizers and losses run on WebGPU too (see their tests), and the
// playground trains on WebGPU in Chromium.
describe.each(testBackends().filter((b) => b !== 'webgpu'))('train on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('learns a noisy cycle with truncated BPTT and reports evaluations', async () => {
    const model = tiny({ dropout: 0 });
    const optimizer = adam({ lr: 0.03 });
    const ids = patternIds(2000);
    const records: Record<string, unknown>[] = [];
    const r = await train({
      model,
      optimizer,
      data: streamData(ids.subarray(0, 1600), { batchSize: 4, chunkLength: 10 }),
      steps: 80,
      evalEvery: 40,
      evaluate: lmEvaluator(ids.subarray(1600), { batchSize: 2, chunkLength: 50 }),
      log: (rec) => {
        records.push(rec);
      },
    });
    expect(r.stoppedBy).toBe('steps');
    expect(r.step).toBe(80);
    expect(r.losses[0]).toBeGreaterThan(1.4); // ~ln 5 at the start
    expect(r.lastMetrics['valLoss']).toBeLessThan(0.6); // the cycle is learnt (5% noise)
    expect(records.filter((x) => x['type'] === 'batch')).toHaveLength(80);
    expect(records.filter((x) => x['type'] === 'eval').map((x) => x['step'])).toEqual([40, 80]);
    optimizer.dispose();
    disposeParameters(model.params);
  });

  it('carries the state across chunks and resets it at every epoch (truncated BPTT)', async () => {
    const lm = tiny();
    const zeroState: boolean[] = [];
    const spy: TrainableModel = {
      ...lm,
      config: lm.config,
      params: lm.params,
      training: 'stream',
      initialState: (b) => lm.initialState(b),
      keepState: (s) => lm.keepState(s as never),
      disposeState: (s) => lm.disposeState(s as never),
      forward: (ids, state, o) => {
        zeroState.push(
          tf.tidy(
            () =>
              tf
                .sum(
                  tf.abs(
                    tf.concat(
                      (state as { h: tf.Tensor }[]).map((l) => l.h),
                      1,
                    ),
                  ),
                )
                .dataSync()[0] === 0,
          ),
        );
        return lm.forward(ids, state as never, o);
      },
    };
    const data = streamData(patternIds(100), { batchSize: 2, chunkLength: 10 }); // 5 chunks per epoch
    const opt = adam({ lr: 0.01 });
    await train({ model: spy, data, optimizer: opt, epochs: 2 });
    expect(zeroState).toEqual([true, false, false, false, false, true, false, false, false, false]);
    opt.dispose();
    disposeParameters(lm.params);
  });

  it('resumes exactly: the same losses, bit for bit, as an uninterrupted run', async () => {
    const a = setup();
    const full = await train({ ...a, steps: 20 });
    a.optimizer.dispose();
    disposeParameters(a.model.params);

    const store = memoryStore();
    const b = setup();
    const first = await train({ ...b, steps: 9, checkpoint: { store, every: 4, keepLast: 2 } });
    expect(first.losses).toEqual(full.losses.slice(0, 9));
    expect(await store.list()).toEqual([8, 9]); // every 4 plus the end, the newest two kept
    b.optimizer.dispose();
    disposeParameters(b.model.params);

    // A fresh process would rebuild everything: new model (other weights), optimizer and schedule.
    const c = setup();
    const rest = await train({ ...c, steps: 20, resume: true, checkpoint: { store } });
    expect(rest.losses).toEqual(full.losses.slice(9));
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
    const before = new Map([...namedParameters(s.model.params)].map(([k, v]) => [k, v.arraySync()]));
    const r = await train({ ...s, steps: 5, loss: poisoned(1) });
    expect(r.skipped).toEqual([1]);
    expect(Number.isNaN(r.losses[0])).toBe(true);
    expect(r.losses.slice(1).every(Number.isFinite)).toBe(true);
    expect(before.size).toBeGreaterThan(0);
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
    await expect(run).rejects.toThrow(NonFiniteError);
    await expect(train({ ...setup(), steps: 10, loss: poisoned(6), nanGuard: 'stop' })).rejects.toThrow(
      /loss at step 6: expected finite numbers, received NaN/,
    );
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
      evaluate: () => {
        const v = values[k++]!;
        if (v === 2) bestWeights = Array.from(w.dataSync());
        return { valLoss: v };
      },
      earlyStopping: { metric: 'valLoss', patience: 2 },
    });
    expect(r.stoppedBy).toBe('early-stopping');
    expect(r.step).toBe(8); // evaluations at 2, 4 (best), 6, 8 -> two without improvement
    expect(r.best).toEqual({ metric: 'valLoss', value: 2, step: 4 });
    expect(Array.from(w.dataSync())).toEqual(bestWeights);
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
    const examples = Array.from({ length: 64 }, () => {
      const ids = Array.from({ length: 2 + rng.int(6) }, () => 1 + rng.int(4));
      return { ids, label: ids.includes(3) ? 1 : 0, tags: ids.map((t) => 1 + (t % 2)) };
    });
    const clf = sequenceClassifier({ vocabSize: 5, numClasses: 2, units: 8, pooling: 'max', seed: 1 });
    const opt = adam({ lr: 0.05 });
    const r = await train({
      model: clf,
      optimizer: opt,
      data: labelledData(examples, { batchSize: 16, seed: 2 }),
      epochs: 15,
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
      epochs: 10,
    });
    expect(r2.losses.at(-1)).toBeLessThan(0.1);
    opt2.dispose();
    disposeParameters(tagger.params);
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
