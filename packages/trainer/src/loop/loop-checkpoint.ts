/**
 * The training loop's own state, and its round trip through a checkpoint: everything `train` needs to
 * continue exactly where it stopped (step, epoch, position in the epoch, the loop's random stream, the
 * carried recurrent state, metrics and the best so far), beside the weights and the optimizer's and
 * scheduler's state.
 */
import { ConfigError, Rng } from '@strand/base';
import { loadParameters, namedParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Checkpoint, encodeCheckpoint, tensorsUnder } from '../checkpoint/format.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { TrainableModel } from '../model.js';
import { mapStateLeaves, stateLeaves } from '../models/recurrent.js';
import type { Optimizer, OptimizerState, Scheduler } from '../optim/types.js';

export interface LoopState {
  step: number;
  epoch: number;
  batchIndex: number;
  rng: Rng;
  /** The recurrent state carried between chunks (truncated BPTT), or null. */
  carried: unknown;
  metrics: Record<string, number>;
  best: { metric: string; value: number; step: number } | null;
  badEvals: number;
}

/** What a checkpoint holds besides the loop's state. */
export interface Trainee {
  readonly model: TrainableModel;
  readonly optimizer: Optimizer;
  readonly scheduler: Scheduler | undefined;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Loads a checkpoint into the model, optimizer and scheduler and into `s`. A ConfigError when the
 * checkpoint was written for a different model config. The checkpoint's tensors stay the caller's.
 */
export function restoreLoop(from: Checkpoint, { model, optimizer, scheduler }: Trainee, s: LoopState): void {
  const { meta, tensors } = from;
  if (!sameJson(meta.model, model.config)) {
    throw new ConfigError(
      `the checkpoint's model config ${JSON.stringify(meta.model)} differs from this model's ${JSON.stringify(model.config)}`,
      'resume',
    );
  }
  loadParameters(model.params, tensorsUnder(tensors, 'model'));
  optimizer.restore({ ...meta.optimizer, tensors: tensorsUnder(tensors, 'optim') });
  if (scheduler && meta.scheduler) scheduler.restore(meta.scheduler);
  Object.assign(s, {
    step: meta.step,
    epoch: meta.epoch,
    batchIndex: meta.batchIndex,
    rng: Rng.restore(meta.rng),
    metrics: { ...meta.metrics },
    best: meta.best,
    badEvals: meta.badEvals,
  });
  if (meta.stateTensors > 0) {
    const leaves = Array.from({ length: meta.stateTensors }, (_, i) => tensors.get(`state.${i}`)!);
    const template = model.initialState(leaves[0]!.shape[0]!);
    s.carried = mapStateLeaves(template, (t, i) => {
      t.dispose();
      return tf.keep(tf.clone(leaves[i]!));
    });
  }
}

/** An optimizer state without its tensors: what the checkpoint JSON holds. */
function optimizerJson(state: OptimizerState): Omit<OptimizerState, 'tensors'> {
  const { tensors: _tensors, ...rest } = state;
  return rest;
}

/**
 * Writes the checkpoint of step `s.step` (weights under `model.`, optimizer tensors under `optim.`, the
 * carried state under `state.`), then removes all but the newest `keepLast`, and the best when
 * `keepBest`.
 */
export async function writeLoopCheckpoint(
  { model, optimizer, scheduler }: Trainee,
  s: LoopState,
  o: {
    readonly store: CheckpointStore;
    readonly keepLast: number;
    readonly keepBest: boolean;
    readonly seed: number;
    readonly extra: unknown;
  },
): Promise<void> {
  const tensors = new Map<string, tf.Tensor>();
  for (const [k, v] of namedParameters(model.params)) tensors.set(`model.${k}`, v);
  const opt = optimizer.state();
  for (const [k, v] of opt.tensors) tensors.set(`optim.${k}`, v);
  const leaves = s.carried === null ? [] : stateLeaves(s.carried);
  for (let i = 0; i < leaves.length; i++) tensors.set(`state.${i}`, leaves[i]!);
  const { json, bytes } = await encodeCheckpoint(
    {
      step: s.step,
      epoch: s.epoch,
      batchIndex: s.batchIndex,
      seed: o.seed,
      model: model.config,
      optimizer: optimizerJson(opt),
      scheduler: scheduler ? scheduler.state() : null,
      rng: s.rng.state(),
      metrics: s.metrics,
      best: s.best,
      badEvals: s.badEvals,
      stateTensors: leaves.length,
      extra: o.extra,
    },
    tensors,
  );
  await o.store.write(s.step, json, bytes);
  const steps = await o.store.list();
  const keep = new Set(steps.slice(-o.keepLast));
  if (o.keepBest && s.best) keep.add(s.best.step);
  for (const old of steps) if (!keep.has(old)) await o.store.remove(old);
}
