/**
 * Training as in Chung et al. 2014: RMSProp, the global gradient norm clipped to 1, validation
 * after every epoch and early stopping on it (the best weights are kept and put back).
 */
import { Rng } from '@strand/base';
import { namedParameters } from '@strand/core';
import { clipGradNorm, rmsprop } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { Output } from '../../frame/output.js';
import { type MusicModel, musicLogits } from './model.js';
import { summedBernoulliNll } from './nll.js';
import { disposeBatch, lengthBatches, type Roll, rollBatch } from './roll.js';

export interface MusicTrainOptions {
  readonly lr: number;
  readonly batch: number;
  readonly clip: number;
  /** Most epochs. */
  readonly epochs: number;
  /** Epochs without a better validation NLL before stopping. */
  readonly patience: number;
  /** Stop after this many optimizer steps in all (smoke runs). */
  readonly steps: number | undefined;
  /** performance.now() seconds after which no new epoch starts. */
  readonly deadline: number;
  readonly seed: number;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly trainNll: number;
  readonly validNll: number;
  readonly seconds: number;
}

export interface MusicTrainResult {
  readonly epochs: EpochRecord[];
  readonly bestEpoch: number;
  readonly bestValidNll: number;
  readonly steps: number;
  readonly seconds: number;
  readonly stoppedBy: 'epochs' | 'early-stopping' | 'minutes' | 'steps';
}

/** Mean NLL per predicted step over `rolls` (nats), in batches of `batch`. */
export async function evaluateNll(model: MusicModel, rolls: readonly Roll[], batch = 32): Promise<number> {
  let total = 0;
  let steps = 0;
  for (const group of lengthBatches(rolls, batch)) {
    const b = rollBatch(group);
    const nll = tf.tidy(() => summedBernoulliNll(musicLogits(model, b.inputs, b.mask), b.targets, b.mask));
    total += (await nll.data())[0]!;
    nll.dispose();
    steps += b.steps;
    disposeBatch(b);
  }
  return total / steps;
}

export async function trainMusic(
  model: MusicModel,
  data: { readonly train: readonly Roll[]; readonly valid: readonly Roll[] },
  o: MusicTrainOptions,
  output: Output,
): Promise<MusicTrainResult> {
  const params = namedParameters(model.params);
  const vars = [...params.values()];
  const optimizer = rmsprop({ lr: o.lr });
  const rng = new Rng(o.seed);
  const started = performance.now() / 1000;
  const epochs: EpochRecord[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | null = null;
  let steps = 0;
  let stoppedBy: MusicTrainResult['stoppedBy'] = 'epochs';
  const batches = lengthBatches(data.train, o.batch);
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      if (performance.now() / 1000 >= o.deadline) {
        stoppedBy = 'minutes';
        break;
      }
      if (o.steps !== undefined && steps >= o.steps) {
        stoppedBy = 'steps';
        break;
      }
      const t0 = performance.now() / 1000;
      let sum = 0;
      let count = 0;
      for (const i of rng.shuffle([...batches.keys()])) {
        if (o.steps !== undefined && steps >= o.steps) break;
        const b = rollBatch(batches[i]!);
        const loss = tf.tidy(() => {
          // Mean NLL per predicted step: the loss the paper reports, averaged over the batch's steps.
          const { value, grads } = tf.variableGrads(
            () =>
              tf.div(
                summedBernoulliNll(musicLogits(model, b.inputs, b.mask), b.targets, b.mask),
                b.steps,
              ) as tf.Scalar,
            vars,
          );
          const byPath = new Map([...params].map(([path, v]) => [path, grads[v.name]!] as const));
          optimizer.apply(params, clipGradNorm(byPath, o.clip).grads);
          return value;
        });
        const value = (await loss.data())[0]!;
        loss.dispose();
        sum += value * b.steps;
        count += b.steps;
        disposeBatch(b);
        steps++;
      }
      const validNll = await evaluateNll(model, data.valid);
      const record = {
        epoch,
        trainNll: sum / Math.max(1, count),
        validNll,
        seconds: performance.now() / 1000 - t0,
      };
      epochs.push(record);
      const improved = validNll < best;
      if (improved) {
        best = validNll;
        bestEpoch = epoch;
        if (bestWeights) tf.dispose(bestWeights);
        bestWeights = vars.map((v) => tf.clone(v));
      }
      output.note(
        `  ${model.config.cell} epoch ${epoch}: train ${record.trainNll.toFixed(3)}, valid ${validNll.toFixed(3)} nats/step${improved ? ' *' : ''} (${record.seconds.toFixed(1)} s)`,
      );
      if (epoch - bestEpoch >= o.patience) {
        stoppedBy = 'early-stopping';
        break;
      }
    }
    if (bestWeights) for (const [i, v] of vars.entries()) v.assign(bestWeights[i]!);
  } finally {
    if (bestWeights) tf.dispose(bestWeights);
    optimizer.dispose();
  }
  return {
    epochs,
    bestEpoch,
    bestValidNll: best,
    steps,
    seconds: performance.now() / 1000 - started,
    stoppedBy,
  };
}
