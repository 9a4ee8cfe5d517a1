/**
 * ReduceLROnPlateau with PyTorch's semantics (1.13): `step(metric)` once per evaluation; after more
 * than `patience` evaluations without an improvement beyond `threshold`, the rate becomes
 * max(lr * factor, minLr) (skipped when the change is not above eps), then `cooldown`
 * evaluations are ignored. Improvement: mode 'min', 'rel': metric < best * (1 - threshold);
 * 'abs': metric < best - threshold; mode 'max' mirrored. A NaN metric is never an improvement.
 */
import { InputError, nonNegativeInteger, nonNegativeNumber, oneOf, rate } from '@strand/base';
import { checkSchedulerState, stateNumber } from './schedulers.js';
import type { Optimizer, Scheduler, SchedulerState } from './types.js';

export interface ReduceOnPlateauConfig {
  /** 'min' (a loss; default) or 'max' (an accuracy). */
  readonly mode?: 'min' | 'max';
  /** New rate = rate * factor; in [0, 1), default 0.1. */
  readonly factor?: number;
  /** Evaluations without improvement tolerated before reducing; default 10. */
  readonly patience?: number;
  /** Smallest significant change; default 1e-4. */
  readonly threshold?: number;
  /** 'rel' (default) or 'abs'. */
  readonly thresholdMode?: 'rel' | 'abs';
  /** Evaluations to wait after a reduction; default 0. */
  readonly cooldown?: number;
  /** Lower bound on the rate; default 0. */
  readonly minLr?: number;
  /** Reductions smaller than this are skipped; default 1e-8. */
  readonly eps?: number;
}

/** Infinity and NaN do not survive JSON; the state spells them as strings. */
function encode(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function decode(state: SchedulerState, field: string): number {
  const v = state[field];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === 'Infinity' || v === '-Infinity' || v === 'NaN') return Number(v);
  throw new InputError({
    what: `scheduler state 'reduce-on-plateau' field ${field}`,
    expected: 'a number',
    received: JSON.stringify(v) ?? String(v),
  });
}

export function reduceOnPlateau(optimizer: Optimizer, config: ReduceOnPlateauConfig = {}): Scheduler {
  const mode = oneOf(config.mode ?? 'min', ['min', 'max'], 'mode');
  const factor = rate(config.factor ?? 0.1, 'factor');
  const patience = nonNegativeInteger(config.patience ?? 10, 'patience');
  const threshold = nonNegativeNumber(config.threshold ?? 1e-4, 'threshold');
  const thresholdMode = oneOf(config.thresholdMode ?? 'rel', ['rel', 'abs'], 'thresholdMode');
  const cooldown = nonNegativeInteger(config.cooldown ?? 0, 'cooldown');
  const minLr = nonNegativeNumber(config.minLr ?? 0, 'minLr');
  const eps = nonNegativeNumber(config.eps ?? 1e-8, 'eps');
  const kind = 'reduce-on-plateau';
  const cfg = { mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps };
  const isBetter = (a: number, best: number): boolean => {
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  };
  let best = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let numBadEpochs = 0;
  let cooldownCounter = 0;
  let lastEpoch = 0;
  let lastLr = optimizer.learningRate;
  return {
    kind,
    get lastLr() {
      return lastLr;
    },
    step(metric?: number) {
      if (typeof metric !== 'number') {
        throw new InputError({
          what: 'reduceOnPlateau.step(metric)',
          expected: 'the monitored metric (a number)',
          received: metric === undefined ? 'nothing' : typeof metric,
        });
      }
      lastEpoch += 1;
      if (isBetter(metric, best)) {
        best = metric;
        numBadEpochs = 0;
      } else {
        numBadEpochs += 1;
      }
      if (cooldownCounter > 0) {
        cooldownCounter -= 1;
        numBadEpochs = 0; // bad evaluations during cooldown do not count
      }
      if (numBadEpochs > patience) {
        const old = optimizer.learningRate;
        const next = Math.max(old * factor, minLr);
        if (old - next > eps) optimizer.learningRate = next;
        cooldownCounter = cooldown;
        numBadEpochs = 0;
      }
      lastLr = optimizer.learningRate;
      return lastLr;
    },
    state: () => ({
      kind,
      config: cfg,
      lastEpoch,
      best: encode(best),
      numBadEpochs,
      cooldownCounter,
      lastLr,
    }),
    restore(state) {
      checkSchedulerState(state, kind, cfg);
      const b = decode(state, 'best');
      const bad = stateNumber(state, 'numBadEpochs', true);
      const cool = stateNumber(state, 'cooldownCounter', true);
      const e = stateNumber(state, 'lastEpoch', true);
      const lr = stateNumber(state, 'lastLr');
      best = b;
      numBadEpochs = bad;
      cooldownCounter = cool;
      lastEpoch = e;
      lastLr = lr;
      optimizer.learningRate = lr;
    },
  };
}
