/**
 * OneCycleLR (Smith & Topin 2017, "Super-Convergence"; PyTorch 1.13 semantics): the rate rises
 * from maxLr / divFactor to maxLr over the first pctStart of totalSteps, then anneals to
 * (maxLr / divFactor) / finalDivFactor by step totalSteps - 1. Momentum is not cycled (as
 * PyTorch's cycle_momentum=False); see README-optim.md.
 */
import { ConfigError, InputError, oneOf, positiveInteger, positiveNumber, probability } from '@strand/base';
import { checkSchedulerState, stateNumber } from './schedulers.js';
import type { Optimizer, Scheduler } from './types.js';

export interface OneCycleConfig {
  readonly maxLr: number;
  readonly totalSteps: number;
  /** Fraction of the steps spent rising; default 0.3. */
  readonly pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  readonly annealStrategy?: 'cos' | 'linear';
  /** initial rate = maxLr / divFactor; default 25. */
  readonly divFactor?: number;
  /** final rate = initial rate / finalDivFactor; default 1e4. */
  readonly finalDivFactor?: number;
  /** Rise, fall back to the initial rate, then anneal to the final one (fast.ai's variant); default false. */
  readonly threePhase?: boolean;
}

interface Phase {
  readonly end: number;
  readonly from: number;
  readonly to: number;
}

/** OneCycleLR. Sets the optimizer's rate to maxLr / divFactor at construction; stepping past totalSteps throws. */
export function oneCycle(optimizer: Optimizer, config: OneCycleConfig): Scheduler {
  const maxLr = positiveNumber(config.maxLr, 'maxLr');
  const totalSteps = positiveInteger(config.totalSteps, 'totalSteps');
  const pctStart = probability(config.pctStart ?? 0.3, 'pctStart');
  const annealStrategy = oneOf(config.annealStrategy ?? 'cos', ['cos', 'linear'], 'annealStrategy');
  const divFactor = positiveNumber(config.divFactor ?? 25, 'divFactor');
  const finalDivFactor = positiveNumber(config.finalDivFactor ?? 1e4, 'finalDivFactor');
  const threePhase = config.threePhase ?? false;
  if (typeof threePhase !== 'boolean') throw new ConfigError('threePhase must be a boolean', 'threePhase');
  const initial = maxLr / divFactor;
  const min = initial / finalDivFactor;
  const phases: Phase[] = threePhase
    ? [
        { end: pctStart * totalSteps - 1, from: initial, to: maxLr },
        { end: 2 * pctStart * totalSteps - 2, from: maxLr, to: initial },
        { end: totalSteps - 1, from: initial, to: min },
      ]
    : [
        { end: pctStart * totalSteps - 1, from: initial, to: maxLr },
        { end: totalSteps - 1, from: maxLr, to: min },
      ];
  // PyTorch divides by each phase's length and fails (ZeroDivisionError) on an empty one; say why here.
  let prev = 0;
  for (const [i, p] of phases.entries()) {
    if (!(p.end > prev)) {
      throw new ConfigError(
        `oneCycle phase ${i + 1} is empty (ends at step ${p.end}, after step ${prev}); raise totalSteps (${totalSteps}) or move pctStart (${pctStart})`,
        'pctStart',
      );
    }
    prev = p.end;
  }
  const anneal =
    annealStrategy === 'cos'
      ? (a: number, b: number, pct: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1)
      : (a: number, b: number, pct: number) => (b - a) * pct + a;
  const rate = (e: number): number => {
    if (e > totalSteps) {
      throw new InputError({
        what: 'oneCycle step',
        expected: `at most ${totalSteps} steps (totalSteps)`,
        received: `step ${e + 1}`,
      });
    }
    let start = 0;
    for (const [i, p] of phases.entries()) {
      // Step totalSteps lies one past the last phase; PyTorch extrapolates there, which for linear
      // annealing can go below 0. A rate is never negative here.
      if (e <= p.end || i === phases.length - 1)
        return Math.max(0, anneal(p.from, p.to, (e - start) / (p.end - start)));
      start = p.end;
    }
    throw new Error('unreachable');
  };
  const kind = 'one-cycle';
  const cfg = { maxLr, totalSteps, pctStart, annealStrategy, divFactor, finalDivFactor, threePhase };
  let lastEpoch = 0;
  let lastLr = rate(0);
  optimizer.learningRate = lastLr;
  return {
    kind,
    get lastLr() {
      return lastLr;
    },
    step() {
      lastLr = rate(lastEpoch + 1);
      lastEpoch += 1;
      optimizer.learningRate = lastLr;
      return lastLr;
    },
    state: () => ({ kind, config: cfg, lastEpoch, lastLr }),
    restore(state) {
      checkSchedulerState(state, kind, cfg);
      const e = stateNumber(state, 'lastEpoch', true);
      const lr = stateNumber(state, 'lastLr');
      if (e > totalSteps) {
        throw new InputError({
          what: "scheduler state 'one-cycle' lastEpoch",
          expected: `at most ${totalSteps}`,
          received: String(e),
        });
      }
      lastEpoch = e;
      lastLr = lr;
      optimizer.learningRate = lastLr;
    },
  };
}
