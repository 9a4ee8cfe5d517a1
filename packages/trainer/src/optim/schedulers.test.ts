import { ConfigError, InputError } from '@strand/base';
import { useTestBackend } from '@strand/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures.js';
import { oneCycle } from './one-cycle.js';
import { reduceOnPlateau } from './plateau.js';
import {
  constantLr,
  cosineAnnealing,
  exponentialLr,
  functionLr,
  linearLr,
  linearWarmup,
  stepLr,
  warmupCosine,
} from './schedulers.js';
import { sgd } from './sgd.js';
import type { Optimizer, Scheduler } from './types.js';

interface SchedCase {
  name: string;
  kind: string;
  config: Record<string, unknown>;
  metrics?: (number | 'NaN')[];
  lrs: number[];
}
const F = fixture<{ baseLr: number; steps: number; cases: SchedCase[] }>('schedulers');

function make(o: Optimizer, kind: string, config: Record<string, unknown>): Scheduler {
  const c = config as never;
  switch (kind) {
    case 'constant':
      return constantLr(o);
    case 'step':
      return stepLr(o, c);
    case 'exponential':
      return exponentialLr(o, c);
    case 'cosine':
      return cosineAnnealing(o, c);
    case 'linear':
      return linearLr(o, c);
    case 'one-cycle':
      return oneCycle(o, c);
    case 'reduce-on-plateau':
      return reduceOnPlateau(o, c);
    case 'linear-warmup': {
      // The fixture spells the inner schedule `then`, as SequentialLR's second scheduler.
      const { then: next, ...rest } = config as { then?: { kind: string } };
      return linearWarmup(o, {
        ...(rest as { warmupSteps: number }),
        ...(next ? { after: (inner: Optimizer) => make(inner, next.kind, next) } : {}),
      });
    }
    default:
      throw new Error(kind);
  }
}

const metricAt = (c: SchedCase, i: number): number | undefined => {
  const m = c.metrics?.[i];
  return m === 'NaN' ? Number.NaN : m;
};

/** The rates a schedule gives: after construction, then after each of `steps` steps. */
function sequence(c: SchedCase, steps = F.steps): number[] {
  const o = sgd({ lr: F.baseLr });
  const s = make(o, c.kind, c.config);
  const out = [o.learningRate];
  expect(s.lastLr).toBe(o.learningRate);
  for (let i = 0; i < steps; i++) {
    const lr = s.step(metricAt(c, i));
    expect(lr).toBe(o.learningRate);
    out.push(o.learningRate);
  }
  return out;
}

describe('schedulers', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it.each(F.cases.map((c) => [c.name, c] as const))('%s: the rate sequence equals PyTorch 1.13', (_, c) => {
    const got = sequence(c);
    expect(got).toHaveLength(c.lrs.length);
    for (let i = 0; i < got.length; i++) {
      // Documented difference: PyTorch lets linear one-cycle extrapolate below 0 at step totalSteps.
      if (c.lrs[i]! < 0) {
        expect(got[i]).toBe(0);
        continue;
      }
      expect(Math.abs(got[i]! - c.lrs[i]!), `step ${i}: ${got[i]} vs ${c.lrs[i]}`).toBeLessThanOrEqual(
        1e-15 + 1e-12 * Math.abs(c.lrs[i]!),
      );
    }
  });

  it.each(F.cases.map((c) => [c.name, c] as const))(
    '%s: state()/restore() mid-run continues identically',
    (_, c) => {
      const full = sequence(c);
      for (const cut of [0, 3, 5, 17]) {
        const o = sgd({ lr: F.baseLr });
        const s = make(o, c.kind, c.config);
        for (let i = 0; i < cut; i++) s.step(metricAt(c, i));
        const saved = JSON.parse(JSON.stringify(s.state())); // checkpoints store it as JSON
        const o2 = sgd({ lr: F.baseLr });
        // Half the time the optimizer comes back first (its rate is then the mid-run one when the
        // schedule is built); the restored schedule must not depend on that order.
        if (cut % 2 === 1) o2.learningRate = full[cut]!;
        const s2 = make(o2, c.kind, c.config);
        s2.restore(saved);
        expect(o2.learningRate).toBe(full[cut]);
        expect(s2.lastLr).toBe(full[cut]);
        const rest = [];
        for (let i = cut; i < F.steps; i++) rest.push(s2.step(metricAt(c, i)));
        expect(rest).toEqual(full.slice(cut + 1));
      }
    },
  );

  it('reduce-on-plateau: patience, cooldown and threshold by hand', () => {
    const o = sgd({ lr: 1 });
    const s = reduceOnPlateau(o, { patience: 1, factor: 0.5, threshold: 0.1, cooldown: 1 });
    // best 10; 9.5 is not < 10 * 0.9 -> bad 1; 9.2 bad 2 > patience -> 0.5, cooldown 1
    expect([10, 9.5, 9.2].map((m) => s.step(m))).toEqual([1, 1, 0.5]);
    // cooldown swallows one bad evaluation, then two more are needed
    expect([9.2, 9.2, 9.2].map((m) => s.step(m))).toEqual([0.5, 0.5, 0.25]);
    // a real improvement (8 < 10 * 0.9) resets the count (and uses up the cooldown); 7.5 and 7.9 are
    // not below 8 * 0.9, so the second reduces; 7.0 is an improvement again
    expect([8, 7.5, 7.9, 7.0].map((m) => s.step(m))).toEqual([0.25, 0.25, 0.125, 0.125]);
    expect(() => s.step()).toThrow(InputError);
  });

  it('linear warm-up chains into cosine the SequentialLR way', () => {
    const o = sgd({ lr: 1 });
    const s = linearWarmup(o, {
      warmupSteps: 4,
      startFactor: 0.2,
      after: (x) => cosineAnnealing(x, { tMax: 4 }),
    });
    const lrs = [o.learningRate, ...Array.from({ length: 6 }, () => s.step())];
    const cos = (e: number) => (1 + Math.cos((Math.PI * e) / 4)) / 2;
    const want = [0.2, 0.4, 0.6, 0.8, 1, cos(1), cos(2)];
    for (const [i, lr] of lrs.entries()) expect(lr).toBeCloseTo(want[i]!, 14);
  });

  it('warmupCosine and functionLr follow nanoGPT get_lr', () => {
    const f = warmupCosine({ maxLr: 6e-4, minLr: 6e-5, warmupSteps: 10, decaySteps: 110 });
    expect(f(0)).toBeCloseTo(6e-4 / 11, 18);
    expect(f(9)).toBeCloseTo((6e-4 * 10) / 11, 18);
    expect(f(10)).toBeCloseTo(6e-4, 18);
    expect(f(60)).toBeCloseTo(6e-5 + 0.5 * (6e-4 - 6e-5), 18);
    expect(f(110)).toBeCloseTo(6e-5, 18);
    expect(f(500)).toBe(6e-5);
    const o = sgd({ lr: 1 });
    const s = functionLr(o, f);
    expect(o.learningRate).toBe(f(0));
    s.step();
    s.step();
    expect(o.learningRate).toBe(f(2));
    expect(() => warmupCosine({ maxLr: 1, minLr: 0, warmupSteps: 10, decaySteps: 10 })).toThrow(ConfigError);
  });

  it('rejects bad configs and foreign states', () => {
    const o = sgd({ lr: 0.1 });
    expect(() => stepLr(o, { stepSize: 0 })).toThrow(/stepSize must be a positive integer/);
    expect(() => cosineAnnealing(o, { tMax: 1.5 })).toThrow(ConfigError);
    expect(() => linearWarmup(o, { warmupSteps: 5, startFactor: 0 })).toThrow(/startFactor/);
    expect(() => oneCycle(o, { maxLr: 0.1, totalSteps: 2 })).toThrow(/phase 1 is empty/);
    expect(() => oneCycle(o, { maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' as never })).toThrow(
      /annealStrategy/,
    );
    expect(() => reduceOnPlateau(o, { factor: 1 })).toThrow(/factor/);
    expect(() => reduceOnPlateau(o, { mode: 'median' as never })).toThrow(/mode must be one of 'min', 'max'/);
    const oc = oneCycle(sgd({ lr: 1 }), { maxLr: 0.1, totalSteps: 10 });
    for (let i = 0; i < 10; i++) oc.step();
    expect(() => oc.step()).toThrow(/at most 10 steps/);
    const cos = cosineAnnealing(sgd({ lr: 0.1 }), { tMax: 10 });
    expect(() => cos.restore(stepLr(sgd({ lr: 0.1 }), { stepSize: 2 }).state())).toThrow(
      /expected 'cosine', received 'step'/,
    );
    expect(() => cos.restore(cosineAnnealing(sgd({ lr: 0.1 }), { tMax: 11 }).state())).toThrow(
      /config.tMax: expected 10, received 11/,
    );
  });
});
