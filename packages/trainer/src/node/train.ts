/** `train` with Node conveniences: checkpoint directories, a JSON-lines log file and terminal progress. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type CheckpointOptions,
  type TrainCallbacks,
  type TrainOptions,
  type TrainResult,
  train as trainLoop,
} from '../loop/train.js';
import { directoryStore } from './directory-store.js';
import { type ProgressOptions, progressReporter } from './progress.js';

export interface NodeTrainOptions extends Omit<TrainOptions, 'checkpoint' | 'log'> {
  /** `dir` instead of `store` writes checkpoint files there. */
  readonly checkpoint?: CheckpointOptions | (Omit<CheckpointOptions, 'store'> & { readonly dir: string });
  /** A JSON-lines file (appended), or a function receiving each record. */
  readonly log?: string | TrainOptions['log'];
  /** Terminal progress: default on (a bar in a TTY, plain lines otherwise); false for none. */
  readonly progress?: boolean | ProgressOptions;
}

function merge(a: TrainCallbacks, b: TrainCallbacks): TrainCallbacks {
  return {
    onBatchEnd: async (e) => {
      await a.onBatchEnd?.(e);
      await b.onBatchEnd?.(e);
    },
    onEvalEnd: async (e) => {
      await a.onEvalEnd?.(e);
      await b.onEvalEnd?.(e);
    },
    onCheckpoint: async (e) => {
      await a.onCheckpoint?.(e);
      await b.onCheckpoint?.(e);
    },
    onEpochEnd: async (e) => {
      await a.onEpochEnd?.(e);
      await b.onEpochEnd?.(e);
    },
  };
}

/**
 * Trains with checkpoint files, a metrics log file and a progress bar.
 *
 * @example
 * await train({ model, data, optimizer, steps: 5000, checkpoint: { dir: 'runs/lm', every: 500 }, log: 'runs/lm/metrics.jsonl', resume: true });
 */
export async function train(options: NodeTrainOptions): Promise<TrainResult> {
  const { checkpoint, log, progress = true, ...rest } = options;
  const ckpt: CheckpointOptions | undefined =
    checkpoint === undefined
      ? undefined
      : 'dir' in checkpoint
        ? { ...checkpoint, store: directoryStore(checkpoint.dir) }
        : checkpoint;
  let logFn: TrainOptions['log'];
  if (typeof log === 'string') {
    await mkdir(dirname(log), { recursive: true });
    logFn = (record) => appendFile(log, `${JSON.stringify(record)}\n`);
  } else logFn = log;
  const reporter = progress === false ? null : progressReporter(progress === true ? {} : progress);
  const callbacks = reporter ? merge(reporter, rest.callbacks ?? {}) : rest.callbacks;
  try {
    return await trainLoop({
      ...rest,
      ...(ckpt ? { checkpoint: ckpt } : {}),
      ...(logFn ? { log: logFn } : {}),
      ...(callbacks ? { callbacks } : {}),
    });
  } finally {
    reporter?.stop();
  }
}
