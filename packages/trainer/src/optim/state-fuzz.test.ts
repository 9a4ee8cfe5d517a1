/**
 * Scheduler and optimizer states come back from checkpoint JSON: damaged states must be rejected
 * with typed errors (never a TypeError from deep inside), and must leave the schedule as it was.
 */
import { decodeUtf8, InputError, parseJson } from '@strand/base';
import { fuzzReader, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam } from './adam.js';
import { oneCycle } from './one-cycle.js';
import { reduceOnPlateau } from './plateau.js';
import { cosineAnnealing, linearWarmup } from './schedulers.js';
import { sgd } from './sgd.js';
import type { Optimizer, Scheduler, SchedulerState } from './types.js';

const BUILDERS: Record<string, (o: Optimizer) => Scheduler> = {
  warmupCosine: (o) =>
    linearWarmup(o, { warmupSteps: 3, startFactor: 0.1, after: (x) => cosineAnnealing(x, { tMax: 10 }) }),
  oneCycle: (o) => oneCycle(o, { maxLr: 0.1, totalSteps: 20 }),
  plateau: (o) => reduceOnPlateau(o, { patience: 1, cooldown: 1 }),
};

describe('scheduler state from damaged JSON', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it.each(Object.keys(BUILDERS))(
    '%s: only typed errors, and a rejected state changes nothing',
    async (name) => {
      const build = BUILDERS[name]!;
      const source = build(sgd({ lr: 0.1 }));
      for (let i = 0; i < 6; i++) source.step(i % 3 === 0 ? 1 : 2);
      const input = JSON.stringify(source.state());
      const report = await fuzzReader({
        input,
        seed: 11,
        count: 600,
        maxMs: 200,
        read: (bytes) => {
          const state = parseJson(decodeUtf8(bytes, { format: 'scheduler state' }), {
            format: 'scheduler state',
          });
          const o = sgd({ lr: 0.1 });
          const s = build(o);
          const before = JSON.stringify(s.state());
          const lrBefore = o.learningRate;
          try {
            s.restore(state as SchedulerState);
          } catch (error) {
            expect(JSON.stringify(s.state())).toBe(before);
            expect(o.learningRate).toBe(lrBefore);
            throw error;
          }
          // Accepted: a usable schedule whose rate is a finite non-negative number.
          expect(Number.isFinite(o.learningRate) && o.learningRate >= 0).toBe(true);
          return s.lastLr;
        },
      });
      expect(report.rejected).toBeGreaterThan(300);
      expect(report.accepted).toBeGreaterThan(0);
    },
  );
});

describe('optimizer state checks', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('rejects states that are not states', () => {
    const opt = adam({ lr: 0.1 });
    for (const bad of [null, 7, {}, { kind: 'adam', step: 1, config: {}, tensors: {} }]) {
      expect(() => opt.restore(bad as never)).toThrow(InputError);
    }
    expect(() => opt.restore({ kind: 'adam', step: -1, config: { lr: 0.1 }, tensors: new Map() })).toThrow(
      /step/,
    );
    expect(() => opt.restore({ kind: 'adam', step: 1, config: { lr: -1 }, tensors: new Map() })).toThrow(
      /lr/,
    );
    expect(() =>
      opt.restore({ kind: 'adam', step: 1, config: { lr: 0.1, beta1: 2 }, tensors: new Map() }),
    ).toThrow(/betas\[0\]/);
    const disposed = tf.zeros([2]);
    disposed.dispose();
    expect(() =>
      opt.restore({
        kind: 'adam',
        step: 1,
        config: { lr: 0.1 },
        tensors: new Map([['exp_avg.w', disposed]]),
      }),
    ).toThrow(/disposed/);
    expect(() =>
      opt.restore({ kind: 'adam', step: 1, config: { lr: 0.1 }, tensors: new Map(), steps: { w: 1.5 } }),
    ).toThrow(/step of 'w'/);
    opt.dispose();
  });
});
