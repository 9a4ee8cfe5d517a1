/**
 * Training a neural character LM with the trainer: AdamW, linear warm-up then cosine decay over the
 * budget, global-norm clipping, truncated BPTT (recurrent) or random windows (transformer),
 * periodic validation, checkpoints in <out>/checkpoints that `--resume` and `strand lm sample` read.
 */
import { join } from 'node:path';
import { registerAttentionModels } from '@strand/attention';
import {
  adamw,
  createModel,
  type DataSource,
  functionLr,
  type ModelConfig,
  registerModel,
  streamData,
  type TrainableModel,
  windowData,
} from '@strand/trainer';
import { directoryStore, train } from '@strand/trainer/node';
import * as tf from '@tensorflow/tfjs-core';
import type { RunContext } from '../../frame/run.js';
import type { Corpus } from './corpus.js';
import { validationLoss } from './evaluate.js';
import type { LmHyperparameters } from './models.js';

let registered = false;
/** The transformer lives in @strand/attention; the trainer's registry learns it once. */
export function registerModels(): void {
  if (!registered) registerAttentionModels(registerModel);
  registered = true;
}

/** The last 256 characters of the training text: what sampling reads before its prompt. */
export function primeText(train: string): string {
  return train.slice(-256);
}

export interface NeuralRun {
  readonly model: TrainableModel;
  readonly steps: number;
  readonly seconds: number;
  readonly trainLoss: number;
  readonly tokensPerSecond: number;
  readonly checkpointDir: string;
  readonly stoppedBy: string;
  readonly curve: readonly { readonly step: number; readonly seconds: number; readonly valLoss: number }[];
}

/**
 * The rate at a fraction f of the budget: linear warm-up over `warmup` steps, then cosine from lr
 * down to lr / 10 at f = 1. With a step budget f counts steps after the warm-up; with only a time
 * budget it counts the time left after the warm-up ended (so a slow model still gets its peak rate).
 */
function schedule(h: LmHyperparameters, budget: { steps?: number; seconds?: number }, started: number) {
  let warmEnded: number | null = null;
  return (step: number): number => {
    if (step < h.warmup) return (h.lr * (step + 1)) / (h.warmup + 1);
    const now = performance.now() / 1000;
    warmEnded ??= now;
    const f =
      budget.steps !== undefined
        ? (step - h.warmup) / Math.max(1, budget.steps - h.warmup)
        : (now - warmEnded) / Math.max(1, (budget.seconds ?? 1) - (warmEnded - started));
    const minLr = h.lr / 10;
    return minLr + 0.5 * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, f)))) * (h.lr - minLr);
  };
}

export async function trainNeural(
  run: RunContext,
  corpus: Corpus,
  config: ModelConfig,
  h: LmHyperparameters,
  budget: { readonly steps?: number; readonly minutes?: number; readonly evalEvery: number },
): Promise<NeuralRun> {
  registerModels();
  const model = createModel(config);
  const { options } = run;
  const batchesPerEpoch = Math.floor(corpus.trainIds.length / (h.batch * h.context));
  const data: DataSource =
    model.training === 'stream'
      ? streamData(corpus.trainIds, {
          batchSize: h.batch,
          chunkLength: h.context,
          resetProbability: h.reset ?? 0,
          seed: options.seed,
        })
      : windowData(corpus.trainIds, {
          batchSize: h.batch,
          length: h.context,
          batchesPerEpoch,
          seed: options.seed,
        });
  const optimizer = adamw({ lr: h.lr, weightDecay: h.weightDecay });
  const started = performance.now() / 1000;
  const seconds = budget.minutes === undefined ? undefined : budget.minutes * 60;
  const scheduler = functionLr(optimizer, schedule(h, { steps: budget.steps, seconds }, started));
  // Periodic validation on the first 20k validation characters (the final report uses all of them).
  const probe = corpus.validIds.subarray(0, Math.min(corpus.validIds.length, 20_000));
  const curve: { step: number; seconds: number; valLoss: number }[] = [];
  const checkpointDir = join(run.outDir, 'checkpoints');
  let tokens = 0;
  const result = await train({
    model,
    data,
    optimizer,
    scheduler,
    clip: h.clip,
    ...(budget.steps !== undefined ? { steps: budget.steps } : {}),
    ...(budget.minutes !== undefined ? { minutes: budget.minutes } : {}),
    evalEvery: budget.evalEvery,
    evaluate: (m) => ({ valLoss: validationLoss(m, probe, h) }),
    callbacks: {
      onBatchEnd: (e) => {
        tokens += e.tokens;
      },
      onEvalEnd: (e) => {
        curve.push({
          step: e.step,
          seconds: performance.now() / 1000 - started,
          valLoss: e.metrics['valLoss']!,
        });
      },
    },
    checkpoint: {
      dir: checkpointDir,
      every: budget.evalEvery,
      keepLast: 2,
      metric: 'valLoss',
      mode: 'min',
      extra: { vocabulary: corpus.vocabulary.toJSON(), hyperparameters: h, prime: primeText(corpus.train) },
    },
    log: join(run.outDir, 'metrics.jsonl'),
    resume: options.resume,
    seed: options.seed,
    progress: { mode: run.output.interactive ? 'bar' : 'lines', every: 15 },
  });
  optimizer.dispose();
  const secondsTaken = performance.now() / 1000 - started;
  const losses = result.losses;
  const tail = losses.slice(-Math.min(50, losses.length));
  return {
    model,
    steps: result.step,
    seconds: secondsTaken,
    trainLoss: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length),
    tokensPerSecond: tokens / secondsTaken,
    checkpointDir,
    stoppedBy: result.stoppedBy,
    curve,
  };
}

export { directoryStore, tf };
