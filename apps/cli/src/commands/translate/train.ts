/**
 * Training a translation model with the trainer's loop (AdamW, warm-up then cosine decay, clipping,
 * checkpoints in <out>/checkpoints with exact resume, validation loss each epoch), over the pair
 * adapter of pairs.ts.
 */
import { join } from 'node:path';
import type { EncoderDecoderModel } from '@strand/attention';
import { adamw, functionLr } from '@strand/trainer';
import { train } from '@strand/trainer/node';
import type { RunContext } from '../../frame/run.js';
import type { Corpus } from './data.js';
import type { TranslateHyperparameters, TranslateModelConfig } from './models.js';
import { type Layout, pairData, pairLoss, pairModel, pairNll } from './pairs.js';

export interface TrainedTranslator {
  readonly steps: number;
  readonly epochs: number;
  readonly seconds: number;
  readonly trainLoss: number;
  readonly validLoss: number;
  readonly stoppedBy: string;
  readonly checkpointDir: string;
}

export async function trainTranslator(
  run: RunContext,
  dir: string,
  model: EncoderDecoderModel,
  corpus: Corpus,
  h: TranslateHyperparameters,
  budget: { readonly steps?: number | undefined; readonly minutes?: number | undefined },
  extra: Record<string, unknown>,
): Promise<TrainedTranslator> {
  const layout: Layout = { sourceLength: 0 };
  const trainable = pairModel(model, layout, h.teacherForcing);
  const data = pairData(corpus.train, h.batch, run.options.seed, layout);
  const optimizer = adamw({ lr: h.lr, weightDecay: 0 });
  const started = performance.now() / 1000;
  const seconds = budget.minutes === undefined ? undefined : budget.minutes * 60;
  const scheduler = functionLr(optimizer, (step) => {
    if (step < h.warmup) return (h.lr * (step + 1)) / (h.warmup + 1);
    const f =
      budget.steps !== undefined
        ? (step - h.warmup) / Math.max(1, budget.steps - h.warmup)
        : (performance.now() / 1000 - started) / Math.max(1, seconds ?? 1);
    const minLr = h.lr / 10;
    return minLr + 0.5 * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, f)))) * (h.lr - minLr);
  });
  const checkpointDir = join(dir, 'checkpoints');
  const probe = corpus.valid.slice(0, 256);
  const result = await train({
    model: trainable,
    data,
    optimizer,
    scheduler,
    loss: pairLoss,
    clip: h.clip,
    ...(budget.steps !== undefined ? { steps: budget.steps } : {}),
    ...(budget.minutes !== undefined ? { minutes: budget.minutes } : {}),
    evalEvery: data.batchesPerEpoch,
    evaluate: () => ({ validLoss: pairNll(model, probe) }),
    checkpoint: {
      dir: checkpointDir,
      every: data.batchesPerEpoch,
      keepLast: 1,
      metric: 'validLoss',
      mode: 'min',
      extra,
    },
    log: join(dir, 'metrics.jsonl'),
    resume: run.options.resume,
    seed: run.options.seed,
    progress: { mode: run.output.interactive ? 'bar' : 'lines', every: 15 },
  });
  optimizer.dispose();
  const tail = result.losses.slice(-Math.min(50, result.losses.length));
  return {
    steps: result.step,
    epochs: result.epoch,
    seconds: performance.now() / 1000 - started,
    trainLoss: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length),
    validLoss: result.lastMetrics['validLoss'] ?? Number.NaN,
    stoppedBy: result.stoppedBy,
    checkpointDir,
  };
}

export type { TranslateModelConfig };
