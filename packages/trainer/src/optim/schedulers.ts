/**
 * Learning-rate schedules with PyTorch's step semantics (torch.optim.lr_scheduler, 1.13): the
 * constructor sets the optimizer's rate for step 0 (PyTorch's `last_epoch = 0`), and each
 * `step()` (called after `optimizer.apply`) advances one step and sets the next rate. Where
 * PyTorch's `get_lr` is recursive (it rescales the optimizer's current rate) it is recursive
 * here too, so the sequences agree to the last bit in float64 and chain the same way.
 *
 * States are plain JSON (numbers, strings, nested states) so checkpoints can store them.
 */
import {
  ConfigError,
  InputError,
  nonNegativeInteger,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
  probability,
} from '@strand/base';
import type { Optimizer, Scheduler, SchedulerState } from './types.js';

type Config = Readonly<Record<string, number | string | boolean>>;

/** Fails unless `state` is a state of this kind written with the same configuration. */
export function checkSchedulerState(state: SchedulerState, kind: string, config: Config): void {
  if (state === null || typeof state !== 'object' || state.kind !== kind) {
    throw new InputError({
      what: 'scheduler state kind',
      expected: `'${kind}'`,
      received: `'${String(state?.kind)}'`,
    });
  }
  const saved = (state['config'] ?? {}) as Record<string, unknown>;
  for (const [field, value] of Object.entries(config)) {
    if (saved[field] !== value) {
      throw new InputError({
        what: `scheduler state '${kind}' config.${field}`,
        expected: JSON.stringify(value),
        received: JSON.stringify(saved[field]),
        hint: 'restore a schedule with the configuration it was saved with',
      });
    }
  }
}

/** A finite number >= 0 (an integer when `integer`) from a state, else an InputError naming the field. */
export function stateNumber(state: SchedulerState, field: string, integer = false): number {
  const v = state[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isSafeInteger(v))) {
    throw new InputError({
      what: `scheduler state '${state.kind}' field ${field}`,
      expected: integer ? 'a non-negative integer' : 'a finite number >= 0',
      received: JSON.stringify(v) ?? String(v),
    });
  }
  return v;
}

/**
 * A scheduler whose rate at step e is `rate(e, currentLr)` (PyTorch's `get_lr`, recursive or not).
 * `lastEpoch` counts the steps (0 after construction).
 */
function chainable(
  kind: string,
  optimizer: Optimizer,
  config: Config,
  rate: (epoch: number, lr: number, base: number) => number,
): Scheduler {
  // PyTorch's base_lrs: the rate at construction, replaced by the saved one on restore (so the
  // optimizer may be restored before or after the schedule is built).
  let baseLr = optimizer.learningRate;
  let lastEpoch = 0;
  optimizer.learningRate = rate(0, optimizer.learningRate, baseLr);
  let lastLr = optimizer.learningRate;
  return {
    kind,
    get lastLr() {
      return lastLr;
    },
    step() {
      lastEpoch += 1;
      optimizer.learningRate = rate(lastEpoch, optimizer.learningRate, baseLr);
      lastLr = optimizer.learningRate;
      return lastLr;
    },
    state: () => ({ kind, config: { ...config }, lastEpoch, baseLr, lastLr }),
    restore(state) {
      checkSchedulerState(state, kind, config);
      const e = stateNumber(state, 'lastEpoch', true);
      const base = stateNumber(state, 'baseLr');
      const lr = stateNumber(state, 'lastLr');
      baseLr = base;
      lastEpoch = e;
      lastLr = lr;
      optimizer.learningRate = lr;
    },
  };
}

/** Keeps the optimizer's rate (it may still be set by hand). */
export function constantLr(optimizer: Optimizer): Scheduler {
  return chainable('constant', optimizer, {}, (_, lr) => lr);
}

export interface StepLrConfig {
  /** Steps between decays. */
  readonly stepSize: number;
  /** Multiplier per decay; default 0.1. */
  readonly gamma?: number;
}

/** StepLR: the rate times gamma every `stepSize` steps. */
export function stepLr(optimizer: Optimizer, config: StepLrConfig): Scheduler {
  const stepSize = positiveInteger(config.stepSize, 'stepSize');
  const gamma = nonNegativeNumber(config.gamma ?? 0.1, 'gamma');
  return chainable('step', optimizer, { stepSize, gamma }, (e, lr) =>
    e === 0 || e % stepSize !== 0 ? lr : lr * gamma,
  );
}

/** ExponentialLR: the rate times gamma every step. */
export function exponentialLr(optimizer: Optimizer, config: { readonly gamma: number }): Scheduler {
  const gamma = nonNegativeNumber(config.gamma, 'gamma');
  return chainable('exponential', optimizer, { gamma }, (e, lr) => (e === 0 ? lr : lr * gamma));
}

export interface CosineAnnealingConfig {
  /** Half-period in steps: the rate reaches etaMin at step tMax (and rises again after, as PyTorch's). */
  readonly tMax: number;
  /** Default 0. */
  readonly etaMin?: number;
}

/** CosineAnnealingLR, PyTorch's recursive form: eta_min + (base - eta_min)(1 + cos(pi e / tMax)) / 2. */
export function cosineAnnealing(optimizer: Optimizer, config: CosineAnnealingConfig): Scheduler {
  const tMax = positiveInteger(config.tMax, 'tMax');
  const etaMin = nonNegativeNumber(config.etaMin ?? 0, 'etaMin');
  return chainable('cosine', optimizer, { tMax, etaMin }, (e, lr, base) => {
    if (e === 0) return lr;
    if ((e - 1 - tMax) % (2 * tMax) === 0) return lr + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
    return (
      ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) +
      etaMin
    );
  });
}

export interface LinearLrConfig {
  /** Default 1/3 (PyTorch's). */
  readonly startFactor?: number;
  /** Default 1. */
  readonly endFactor?: number;
  /** Steps to go from start to end; default 5. */
  readonly totalIters?: number;
}

function linearRate(startFactor: number, endFactor: number, totalIters: number) {
  return (e: number, lr: number): number => {
    if (e === 0) return lr * startFactor;
    if (e > totalIters) return lr;
    return (
      lr * (1 + (endFactor - startFactor) / (totalIters * startFactor + (e - 1) * (endFactor - startFactor)))
    );
  };
}

function checkFactor(value: unknown, field: string): number {
  const v = probability(value, field);
  if (v === 0) throw new ConfigError(`${field} must be in (0, 1], received 0`, field);
  return v;
}

/** LinearLR: the rate times a factor going linearly from startFactor to endFactor over totalIters steps. */
export function linearLr(optimizer: Optimizer, config: LinearLrConfig = {}): Scheduler {
  const startFactor = checkFactor(config.startFactor ?? 1 / 3, 'startFactor');
  const endFactor = probability(config.endFactor ?? 1, 'endFactor');
  const totalIters = positiveInteger(config.totalIters ?? 5, 'totalIters');
  return chainable(
    'linear',
    optimizer,
    { startFactor, endFactor, totalIters },
    linearRate(startFactor, endFactor, totalIters),
  );
}

export interface LinearWarmupConfig {
  /** Steps of warm-up (LinearLR's total_iters and SequentialLR's milestone). */
  readonly warmupSteps: number;
  /** Factor of the base rate at step 0; default 1/3 (PyTorch LinearLR's default). */
  readonly startFactor?: number;
  /**
   * The schedule after warm-up, built at step `warmupSteps` from the optimizer with its rate reset
   * to the base rate (what SequentialLR's `scheduler.step(0)` does). Without it the rate stays at base.
   */
  readonly after?: (optimizer: Optimizer) => Scheduler;
  /**
   * @deprecated The name in the first draft of this API; use `after` (an object with a `then`
   * function is a thenable, which `await` would call).
   */
  readonly then?: (optimizer: Optimizer) => Scheduler;
}

/**
 * Linear warm-up from `startFactor * base` to `base` over `warmupSteps` steps, then `after`:
 * `SequentialLR([LinearLR(start_factor, 1, warmupSteps), after], milestones=[warmupSteps])`.
 *
 * @example
 * const schedule = linearWarmup(opt, { warmupSteps: 100, startFactor: 0.01, after: (o) => cosineAnnealing(o, { tMax: 900 }) });
 */
export function linearWarmup(optimizer: Optimizer, config: LinearWarmupConfig): Scheduler {
  const warmupSteps = positiveInteger(config.warmupSteps, 'warmupSteps');
  const startFactor = checkFactor(config.startFactor ?? 1 / 3, 'startFactor');
  if (config.after !== undefined && config.then !== undefined) {
    throw new ConfigError(
      'give the schedule after warm-up as `after` only (`then` is its old name)',
      'after',
    );
  }
  const after = config.after ?? config.then;
  if (after !== undefined && typeof after !== 'function') {
    throw new ConfigError('after must be a function (optimizer) => Scheduler', 'after');
  }
  const kind = 'linear-warmup';
  const cfg = { warmupSteps, startFactor };
  const warm = linearLr(optimizer, { startFactor, endFactor: 1, totalIters: warmupSteps });
  let lastEpoch = 0;
  let inner: Scheduler | null = null;
  const start = (): Scheduler => {
    optimizer.learningRate = stateNumber(warm.state(), 'baseLr');
    const s = after!(optimizer);
    if (s === null || typeof s !== 'object' || typeof s.step !== 'function') {
      throw new ConfigError('after must return a Scheduler', 'after');
    }
    return s;
  };
  return {
    kind,
    get lastLr() {
      return inner === null ? warm.lastLr : inner.lastLr;
    },
    step() {
      lastEpoch += 1;
      if (after !== undefined && lastEpoch === warmupSteps) inner = start();
      else if (inner !== null) inner.step();
      else warm.step();
      return this.lastLr;
    },
    state: () => ({
      kind,
      config: cfg,
      lastEpoch,
      warmup: warm.state(),
      after: inner === null ? null : inner.state(),
    }),
    restore(state) {
      checkSchedulerState(state, kind, cfg);
      const e = stateNumber(state, 'lastEpoch', true);
      const innerState = state['after'] as SchedulerState | null | undefined;
      if (innerState != null && (after === undefined || e < warmupSteps)) {
        throw new InputError({
          what: "scheduler state 'linear-warmup' after",
          expected: 'null',
          received: 'a state',
        });
      }
      if (innerState == null && after !== undefined && e >= warmupSteps) {
        throw new InputError({
          what: "scheduler state 'linear-warmup' after",
          expected: 'a state',
          received: 'null',
        });
      }
      // Build the restored parts first, so a bad state leaves this schedule as it was.
      const previous = { warm: warm.state(), lr: optimizer.learningRate };
      let candidate: Scheduler | null = null;
      try {
        warm.restore(state['warmup'] as SchedulerState);
        if (innerState != null) {
          candidate = start();
          candidate.restore(innerState);
        }
      } catch (error) {
        warm.restore(previous.warm);
        optimizer.learningRate = previous.lr;
        throw error;
      }
      lastEpoch = e;
      inner = candidate;
      optimizer.learningRate = this.lastLr;
    },
  };
}

/** A scheduler from a pure `(step) => lr` function (such as `warmupCosine`): the rate at step e is `lr(e)`. */
export function functionLr(optimizer: Optimizer, lr: (step: number) => number): Scheduler {
  if (typeof lr !== 'function') throw new ConfigError('lr must be a function (step) => number', 'lr');
  return chainable('function', optimizer, {}, (e) => {
    const v = lr(e);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new InputError({
        what: `learning rate function at step ${e}`,
        expected: 'a finite number >= 0',
        received: String(v),
      });
    }
    return v;
  });
}

export interface WarmupCosineConfig {
  readonly maxLr: number;
  readonly minLr: number;
  readonly warmupSteps: number;
  /** Step after which the rate stays at minLr (nanoGPT's lr_decay_iters). */
  readonly decaySteps: number;
}

/**
 * nanoGPT's `get_lr` as a pure function: linear warm-up to maxLr over warmupSteps (starting at
 * maxLr / (warmupSteps + 1), so step 0 is never 0), cosine decay to minLr at decaySteps, then minLr.
 */
export function warmupCosine(config: WarmupCosineConfig): (step: number) => number {
  const maxLr = positiveNumber(config.maxLr, 'maxLr');
  const minLr = nonNegativeNumber(config.minLr, 'minLr');
  const warmupSteps = nonNegativeInteger(config.warmupSteps, 'warmupSteps');
  const decaySteps = positiveInteger(config.decaySteps, 'decaySteps');
  if (decaySteps <= warmupSteps) {
    throw new ConfigError(
      `decaySteps (${decaySteps}) must exceed warmupSteps (${warmupSteps})`,
      'decaySteps',
    );
  }
  if (minLr > maxLr) throw new ConfigError(`minLr (${minLr}) must not exceed maxLr (${maxLr})`, 'minLr');
  return (step) => {
    if (step < warmupSteps) return (maxLr * (step + 1)) / (warmupSteps + 1);
    if (step > decaySteps) return minLr;
    const ratio = (step - warmupSteps) / (decaySteps - warmupSteps);
    return minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (maxLr - minLr);
  };
}
