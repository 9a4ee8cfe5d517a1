/**
 * The training loop: batches from a DataSource, gradients with an explicit variable list, the
 * NaN/Inf guard, clipping, the optimizer and the schedule, truncated BPTT (state carried and
 * detached across chunks, reset every epoch), evaluation, early stopping, checkpoints with exact
 * resume (loop-checkpoint.ts), events and a JSON-lines log. Browser-safe; `@strand/trainer/node`
 * adds files and a terminal progress bar around it.
 */
import {
  ConfigError,
  deriveSeed,
  NonFiniteError,
  nonNegativeInteger,
  oneOf,
  positiveInteger,
  positiveNumber,
  Rng,
} from '@strand/base';
import { loadParameters, namedParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint } from '../checkpoint/format.js';
import { type CheckpointStore, loadLatest } from '../checkpoint/store.js';
import type { TrainableModel } from '../model.js';
import { checkIdValues, tidy } from '../models/common.js';
import { zeroStateRows } from '../models/recurrent.js';
import { clipGradNormDeferred } from '../optim/clip.js';
import { checkFiniteGradsAsync } from '../optim/finite.js';
import type { Optimizer, Scheduler } from '../optim/types.js';
import type { Batch, DataSource } from './data.js';
import { type LoopState, restoreLoop, type Trainee, writeLoopCheckpoint } from './loop-checkpoint.js';
import { type LossFn, tokenCrossEntropy } from './loss.js';

export interface BatchEndEvent {
  /** Optimizer steps taken so far (this one included). */
  readonly step: number;
  readonly epoch: number;
  /** Index of this batch in its epoch. */
  readonly batchIndex: number;
  readonly batchesPerEpoch: number;
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** The learning rate this step used. */
  readonly lr: number;
  /** True when the NaN guard skipped the update. */
  readonly skipped: boolean;
  /** Target tokens in the batch. */
  readonly tokens: number;
  /** Since this call to train started. */
  readonly elapsedMs: number;
  /** The step budget when there is one (for progress and ETA). */
  readonly totalSteps: number | undefined;
}

export interface EvalEndEvent {
  readonly step: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly improved: boolean;
  readonly best: { readonly metric: string; readonly value: number; readonly step: number } | null;
}

export interface TrainCallbacks {
  readonly onBatchEnd?: (e: BatchEndEvent) => void | Promise<void>;
  readonly onEvalEnd?: (e: EvalEndEvent) => void | Promise<void>;
  readonly onCheckpoint?: (e: { readonly step: number; readonly best: boolean }) => void | Promise<void>;
  readonly onEpochEnd?: (e: { readonly epoch: number; readonly step: number }) => void | Promise<void>;
}

export interface EarlyStopping {
  /** A key of `evaluate`'s result. */
  readonly metric: string;
  /** Evaluations without improvement before stopping. */
  readonly patience: number;
  /** Default 'min'. */
  readonly mode?: 'min' | 'max';
  /** Improvement smaller than this does not count. Default 0. */
  readonly minDelta?: number;
  /** Put the best weights back at the end. Default true. */
  readonly restoreBest?: boolean;
}

export interface CheckpointOptions {
  readonly store: CheckpointStore;
  /** Save every N steps (and at the end). Default: only at the end. */
  readonly every?: number;
  /** Keep the newest N. Default 3. */
  readonly keepLast?: number;
  /** Also keep the best by `metric` (saved whenever it improves). Default true when a metric is known. */
  readonly keepBest?: boolean;
  /** Default: earlyStopping.metric. */
  readonly metric?: string;
  /** Default: earlyStopping.mode, else 'min'. */
  readonly mode?: 'min' | 'max';
  /** Stored as the checkpoint's `extra` (e.g. the vocabulary's JSON). */
  readonly extra?: unknown;
}

export interface TrainOptions {
  readonly model: TrainableModel;
  readonly data: DataSource;
  readonly optimizer: Optimizer;
  /** Default: token cross-entropy (mean over unmasked targets). */
  readonly loss?: LossFn;
  /**
   * Stepped after every optimizer step; a 'reduce-on-plateau' scheduler is stepped after every
   * evaluation instead, with the early-stopping / checkpoint metric (else the first metric returned).
   */
  readonly scheduler?: Scheduler;
  /** Clip the global gradient norm to this (PyTorch's clip_grad_norm_). */
  readonly clip?: number;
  /** Stop when this many optimizer steps have been taken in all (resumed steps count). */
  readonly steps?: number;
  /** Stop after this many epochs in all. */
  readonly epochs?: number;
  /** Stop after this much wall time in this call. */
  readonly minutes?: number;
  /** Evaluate every N steps (and at the end). */
  readonly evalEvery?: number;
  readonly evaluate?: (model: TrainableModel) => Record<string, number> | Promise<Record<string, number>>;
  readonly earlyStopping?: EarlyStopping;
  readonly callbacks?: TrainCallbacks;
  /** Receives one JSON record per step, evaluation and checkpoint (a JSON-lines metrics log). */
  readonly log?: (record: Readonly<Record<string, unknown>>) => void | Promise<void>;
  readonly checkpoint?: CheckpointOptions;
  /** true: continue from the newest checkpoint in `checkpoint.store` when there is one. */
  readonly resume?: boolean | Checkpoint;
  /** A non-finite loss or gradient: skip the update (default) or stop with a NonFiniteError. */
  readonly nanGuard?: 'skip' | 'stop';
  /** Seed of dropout masks and everything else random in the loop. Default 0. */
  readonly seed?: number;
  /** Stop early (checked after every step). */
  readonly signal?: AbortSignal;
}

export type StopReason = 'steps' | 'epochs' | 'minutes' | 'early-stopping' | 'aborted';

export interface TrainResult {
  readonly step: number;
  readonly epoch: number;
  readonly stoppedBy: StopReason;
  /** Loss of every step this call ran, in order. */
  readonly losses: readonly number[];
  readonly lastMetrics: Readonly<Record<string, number>>;
  readonly best: { readonly metric: string; readonly value: number; readonly step: number } | null;
  /** Steps the NaN guard skipped. */
  readonly skipped: readonly number[];
}

/**
 * Trains `model` until the first of `steps`, `epochs` or `minutes` is reached (at least one must
 * be given), early stopping or `signal`.
 *
 * @example
 * const result = await train({
 *   model: lm, data: streamData(trainIds, { batchSize: 32, chunkLength: 128 }),
 *   optimizer: adamw({ lr: 2e-3 }), clip: 1, steps: 2000, evalEvery: 200, evaluate: lmEvaluator(validIds),
 * });
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { model, data, optimizer, scheduler, callbacks = {}, checkpoint, earlyStopping } = options;
  if (options.steps === undefined && options.epochs === undefined && options.minutes === undefined) {
    throw new ConfigError('give at least one of steps, epochs or minutes', 'steps');
  }
  const maxSteps = options.steps === undefined ? undefined : nonNegativeInteger(options.steps, 'steps');
  const maxEpochs = options.epochs === undefined ? undefined : nonNegativeInteger(options.epochs, 'epochs');
  const maxMs =
    options.minutes === undefined ? undefined : positiveNumber(options.minutes, 'minutes') * 60_000;
  const evalEvery =
    options.evalEvery === undefined ? undefined : positiveInteger(options.evalEvery, 'evalEvery');
  const clip = options.clip === undefined ? undefined : positiveNumber(options.clip, 'clip');
  const nanGuard = oneOf(options.nanGuard ?? 'skip', ['skip', 'stop'] as const, 'nanGuard');
  const seed = nonNegativeInteger(options.seed ?? 0, 'seed');
  const batchesPerEpoch = positiveInteger(data.batchesPerEpoch, 'data.batchesPerEpoch');
  if (earlyStopping) {
    positiveInteger(earlyStopping.patience, 'earlyStopping.patience');
    if (!options.evaluate) throw new ConfigError('earlyStopping needs evaluate', 'evaluate');
  }
  const metricName = checkpoint?.metric ?? earlyStopping?.metric;
  const mode = oneOf(checkpoint?.mode ?? earlyStopping?.mode ?? 'min', ['min', 'max'] as const, 'mode');
  const minDelta = earlyStopping?.minDelta ?? 0;
  const keepLast = positiveInteger(checkpoint?.keepLast ?? 3, 'checkpoint.keepLast');
  const keepBest = (checkpoint?.keepBest ?? true) && metricName !== undefined;
  const onPlateau = scheduler?.kind === 'reduce-on-plateau';
  const saveEvery =
    checkpoint?.every === undefined ? undefined : positiveInteger(checkpoint.every, 'checkpoint.every');

  // Explicit variable list, keyed by parameter path (tfjs variable names are engine-global).
  const all = namedParameters(model.params);
  const trainable = new Map([...all].filter(([, v]) => v.trainable));
  const vars = [...trainable.values()];
  const pathOf = new Map(vars.map((v, i) => [v.name, [...trainable.keys()][i]!]));

  const s: LoopState = {
    step: 0,
    epoch: 0,
    batchIndex: 0,
    rng: new Rng(deriveSeed(seed, 'loop')),
    carried: null,
    metrics: {},
    best: null,
    badEvals: 0,
  };

  const trainee: Trainee = { model, optimizer, scheduler };

  // ---- resume ----
  let resumeFrom: Checkpoint | null = null;
  if (options.resume === true) {
    if (!checkpoint) throw new ConfigError('resume: true needs checkpoint.store', 'resume');
    resumeFrom = await loadLatest(checkpoint.store);
  } else if (options.resume) resumeFrom = options.resume;
  if (resumeFrom) {
    restoreLoop(resumeFrom, trainee, s);
    if (options.resume === true) tf.dispose([...resumeFrom.tensors.values()]);
  }

  let bestSnapshot: Map<string, tf.Tensor> | null = null;
  const takeSnapshot = (): void => {
    if (!earlyStopping || earlyStopping.restoreBest === false) return;
    if (bestSnapshot) tf.dispose([...bestSnapshot.values()]);
    bestSnapshot = new Map([...all].map(([k, v]) => [k, tf.keep(tf.clone(v))]));
  };

  const emitLog = async (record: Record<string, unknown>): Promise<void> => {
    if (options.log) await options.log(record);
  };

  const save = async (isBest: boolean): Promise<void> => {
    if (!checkpoint) return;
    await writeLoopCheckpoint(trainee, s, {
      store: checkpoint.store,
      keepLast,
      keepBest,
      seed,
      extra: checkpoint.extra ?? null,
    });
    await emitLog({ type: 'checkpoint', step: s.step, best: isBest });
    await callbacks.onCheckpoint?.({ step: s.step, best: isBest });
  };

  const runEval = async (): Promise<boolean> => {
    if (!options.evaluate) return false;
    const metrics = await options.evaluate(model);
    s.metrics = { ...metrics };
    let improved = false;
    if (metricName !== undefined) {
      const value = metrics[metricName];
      if (value === undefined) {
        throw new ConfigError(
          `evaluate returned no '${metricName}' (it returned ${Object.keys(metrics).join(', ') || 'nothing'})`,
          'earlyStopping.metric',
        );
      }
      const better =
        s.best === null ||
        (mode === 'min' ? value < s.best.value - minDelta : value > s.best.value + minDelta);
      if (better && Number.isFinite(value)) {
        s.best = { metric: metricName, value, step: s.step };
        s.badEvals = 0;
        improved = true;
        takeSnapshot();
      } else s.badEvals++;
    }
    if (onPlateau) {
      const value = metrics[metricName ?? Object.keys(metrics)[0] ?? ''];
      if (value !== undefined) scheduler!.step(value);
    }
    await emitLog({ type: 'eval', step: s.step, ...metrics });
    await callbacks.onEvalEnd?.({ step: s.step, metrics: s.metrics, improved, best: s.best });
    if (improved && keepBest) await save(true);
    return earlyStopping !== undefined && s.badEvals >= earlyStopping.patience;
  };

  const losses: number[] = [];
  const skipped: number[] = [];
  const started = performance.now();
  let stoppedBy: StopReason | null = null;
  const done = (): StopReason | null => {
    if (maxSteps !== undefined && s.step >= maxSteps) return 'steps';
    if (maxEpochs !== undefined && s.epoch >= maxEpochs) return 'epochs';
    if (maxMs !== undefined && performance.now() - started >= maxMs) return 'minutes';
    if (options.signal?.aborted) return 'aborted';
    return null;
  };

  try {
    stoppedBy = done();
    while (stoppedBy === null) {
      const batch = data.batch(s.epoch, s.batchIndex);
      if (!data.contiguous && s.carried !== null) {
        model.disposeState(s.carried);
        s.carried = null;
      }
      if (s.carried === null) s.carried = model.initialState(batch.batch);
      else if (batch.resets !== undefined) {
        const before = s.carried;
        s.carried = tidy(() => model.keepState(zeroStateRows(before, batch.resets!) as never));
        model.disposeState(before as never);
      }
      const lr = optimizer.learningRate;
      const dropoutSeed = s.rng.nextUint32();
      const vocabSize = (model as { vocabSize?: unknown }).vocabSize;
      if (typeof vocabSize === 'number') checkIdValues(batch.inputs, vocabSize, 'input id');
      const r = gradientStep(
        model,
        batch,
        s.carried,
        options.loss ?? tokenCrossEntropy,
        vars,
        pathOf,
        dropoutSeed,
      );
      if (!options.loss) {
        // The default loss does not read the targets back; check them here, on the host.
        try {
          checkIdValues(batch.targets, r.classes, 'target');
        } catch (e) {
          tf.dispose([r.loss, ...r.grads.values()]);
          model.disposeState(r.state);
          throw e;
        }
      }
      // One asynchronous read per step (WebGPU has no synchronous ones): the loss and the global
      // norm (clipping's pre-clip norm when clipping; the scaling itself stays on the device).
      let grads = r.grads;
      let total: tf.Scalar;
      if (clip !== undefined) {
        const c = clipGradNormDeferred(grads, clip, {});
        tf.dispose([...grads.values()]);
        grads = c.grads;
        total = c.total ?? tf.scalar(0);
      } else total = globalNorm([...grads.values()]);
      const both = tidy(() => tf.stack([r.loss, total]));
      tf.dispose([r.loss, total]);
      const v = await both.data();
      both.dispose();
      const lossValue = v[0]!;
      const norm = v[1]!;
      const finite = Number.isFinite(lossValue) && Number.isFinite(norm);
      if (finite) {
        optimizer.apply(trainable, grads);
        if (!onPlateau) scheduler?.step();
        model.disposeState(s.carried);
        s.carried = r.state;
      } else {
        // The guard: no update, and the state from before this batch stays (the new one may hold NaN).
        const what = Number.isFinite(lossValue)
          ? `gradient of ${(await checkFiniteGradsAsync(grads, s.step + 1)).badPath ?? '?'}`
          : 'loss';
        model.disposeState(r.state);
        tf.dispose([...grads.values()]);
        skipped.push(s.step + 1);
        await emitLog({ type: 'non-finite', step: s.step + 1, tensor: what, loss: String(lossValue) });
        if (nanGuard === 'stop')
          throw new NonFiniteError(what, String(Number.isFinite(lossValue) ? norm : lossValue), s.step + 1);
      }
      if (finite) tf.dispose([...grads.values()]);
      s.step++;
      losses.push(lossValue);
      const batchIndex = s.batchIndex;
      const epoch = s.epoch;
      s.batchIndex++;
      if (s.batchIndex >= batchesPerEpoch) {
        s.batchIndex = 0;
        s.epoch++;
        model.disposeState(s.carried); // truncated BPTT restarts every stream at an epoch boundary
        s.carried = null;
      }
      const event: BatchEndEvent = {
        step: s.step,
        epoch,
        batchIndex,
        batchesPerEpoch,
        loss: lossValue,
        gradNorm: norm,
        lr,
        skipped: !finite,
        tokens: batch.targets.length,
        elapsedMs: performance.now() - started,
        totalSteps: maxSteps ?? (maxEpochs === undefined ? undefined : maxEpochs * batchesPerEpoch),
      };
      await emitLog({ type: 'batch', step: s.step, epoch, loss: lossValue, gradNorm: norm, lr });
      await callbacks.onBatchEnd?.(event);
      if (s.batchIndex === 0) await callbacks.onEpochEnd?.({ epoch, step: s.step });
      let early = false;
      if (evalEvery !== undefined && s.step % evalEvery === 0) early = await runEval();
      stoppedBy = early ? 'early-stopping' : done();
      if (saveEvery !== undefined && s.step % saveEvery === 0 && stoppedBy === null) await save(false);
    }
    if (
      stoppedBy !== 'early-stopping' &&
      options.evaluate &&
      (evalEvery === undefined || s.step % evalEvery !== 0)
    ) {
      if (await runEval()) stoppedBy = 'early-stopping';
    }
    if (checkpoint) await save(false);
    if (bestSnapshot) {
      loadParameters(model.params, bestSnapshot as Map<string, tf.Tensor>);
    }
  } finally {
    if (bestSnapshot) tf.dispose([...(bestSnapshot as Map<string, tf.Tensor>).values()]);
    if (s.carried !== null) model.disposeState(s.carried);
  }
  return { step: s.step, epoch: s.epoch, stoppedBy, losses, lastMetrics: s.metrics, best: s.best, skipped };
}

/** sqrt(sum of g^2 over all gradients): the global L2 norm the guard reads (NaN/Inf iff a gradient is). */
function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() =>
    grads.length === 0
      ? tf.scalar(0)
      : (tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar),
  );
}

/** Loss, gradients (by parameter path) and the detached next state of one batch. */
function gradientStep(
  model: TrainableModel,
  batch: Batch,
  state: unknown,
  lossFn: LossFn,
  vars: tf.Variable[],
  pathOf: ReadonlyMap<string, string>,
  seed: number,
): { loss: tf.Scalar; grads: Map<string, tf.Tensor>; state: unknown; classes: number } {
  const { batch: B, length: T } = batch;
  const perStep = batch.targets.length === B * T;
  let next: unknown = null;
  let classes = 0;
  const { value, grads } = tf.tidy(() => {
    const x = tf.tensor2d(batch.inputs, [B, T], 'int32');
    const y = perStep ? tf.tensor2d(batch.targets, [B, T], 'int32') : tf.tensor1d(batch.targets, 'int32');
    const mask = batch.mask ? tf.tensor2d(batch.mask, [B, T]) : undefined;
    return tf.variableGrads(() => {
      const r = model.forward(x, state, { training: true, seed, ...(mask ? { mask } : {}) });
      next = model.keepState(r.state);
      classes = r.logits.shape[r.logits.rank - 1]!;
      return lossFn(r.logits, y, perStep ? mask : undefined);
    }, vars);
  });
  const byPath = new Map<string, tf.Tensor>();
  for (const [name, g] of Object.entries(grads)) byPath.set(pathOf.get(name)!, g);
  return { loss: value, grads: byPath, state: next, classes };
}
