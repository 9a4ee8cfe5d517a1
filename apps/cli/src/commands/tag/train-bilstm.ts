/**
 * Training the BiLSTM tagger: Adam, mean token cross-entropy over the unpadded words, gradient
 * norm clipped, shuffled batches; accuracy on dev every `evalEvery` steps and at each epoch's end,
 * the best weights kept (early stopping on dev accuracy).
 * The rate decays (cosine, to lr/20) over the budget, whichever of steps, epochs or time ends first,
 * so that a run ends on small steps rather than wherever a constant rate left it (the dev accuracy
 * of constant-rate runs went up and down by about 0.1 point between evaluations). Word dropout (Kiperwasser & Goldberg 2016) replaces a training word of count c by
 * <unk> with probability α / (α + c), so that <unk>'s embedding is trained on many contexts and the
 * character BiLSTM learns to carry rare words (9% of the test tokens are unseen in training).
 */
import { Rng } from '@strand/base';
import { adam, clipGradNorm, crossEntropy } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { Output } from '../../frame/output.js';
import {
  type BiLstmTagger,
  bilstmLogits,
  bilstmTag,
  bilstmVariables,
  disposeTagBatch,
  tagBatch,
} from './bilstm.js';
import type { TaggedSentence } from './tnt.js';

export interface BiLstmTrainOptions {
  readonly lr: number;
  readonly batch: number;
  readonly clip: number;
  readonly epochs: number;
  readonly steps: number | undefined;
  /** performance.now() seconds after which training stops (after the current step). */
  readonly deadline: number;
  readonly evalEvery: number;
  /** Evaluations without a better dev accuracy before stopping. */
  readonly patience: number;
  readonly seed: number;
  /** Word dropout α (0: none). */
  readonly wordDropout: number;
}

export interface BiLstmTrainResult {
  readonly steps: number;
  readonly epochs: number;
  readonly seconds: number;
  readonly bestDevAccuracy: number;
  readonly bestStep: number;
  readonly stoppedBy: 'epochs' | 'steps' | 'minutes' | 'early-stopping';
  readonly curve: { step: number; loss: number; devAccuracy: number }[];
}

/**
 * Shuffled batches of sentences of similar length (less padding, for the sentence BiLSTM and the
 * character BiLSTM alike): shuffle, sort pools of 50 batches by length, cut, shuffle the batches.
 */
export function lengthBuckets(train: readonly TaggedSentence[], batch: number, rng: Rng): number[][] {
  const order = rng.shuffle([...train.keys()]);
  const out: number[][] = [];
  const pool = 50 * batch;
  for (let p = 0; p < order.length; p += pool) {
    const sorted = order.slice(p, p + pool).sort((a, b) => train[a]!.words.length - train[b]!.words.length);
    for (let i = 0; i < sorted.length; i += batch) out.push(sorted.slice(i, i + batch));
  }
  return rng.shuffle(out);
}

export async function devAccuracy(model: BiLstmTagger, dev: readonly TaggedSentence[]): Promise<number> {
  const predicted = await bilstmTag(model, dev);
  let right = 0;
  let n = 0;
  for (const [i, s] of dev.entries()) {
    for (const [j, t] of s.tags.entries()) {
      n++;
      if (predicted[i]![j] === t) right++;
    }
  }
  return right / n;
}

export async function trainBiLstm(
  model: BiLstmTagger,
  data: { readonly train: readonly TaggedSentence[]; readonly dev: readonly TaggedSentence[] },
  o: BiLstmTrainOptions,
  output: Output,
): Promise<BiLstmTrainResult> {
  const params = bilstmVariables(model);
  const vars = [...params.values()];
  const optimizer = adam({ lr: o.lr });
  const rng = new Rng(o.seed);
  const started = performance.now() / 1000;
  const batchesPerEpoch = Math.ceil(data.train.length / o.batch);
  const totalSteps = Math.min(o.steps ?? Number.POSITIVE_INFINITY, o.epochs * batchesPerEpoch);
  const rate = (): number => {
    const f = Math.min(
      1,
      Math.max(steps / totalSteps, (performance.now() / 1000 - started) / (o.deadline - started)),
    );
    const min = o.lr / 20;
    return min + 0.5 * (1 + Math.cos(Math.PI * f)) * (o.lr - min);
  };
  const counts = new Map<string, number>();
  for (const s of data.train)
    for (const w of s.words) counts.set(w.toLowerCase(), (counts.get(w.toLowerCase()) ?? 0) + 1);
  const dropWord =
    o.wordDropout > 0
      ? (w: string) => rng.float() < o.wordDropout / (o.wordDropout + (counts.get(w) ?? 0))
      : undefined;
  const curve: BiLstmTrainResult['curve'] = [];
  let best = -1;
  let bestStep = 0;
  let bestWeights: tf.Tensor[] | null = null;
  let steps = 0;
  let epochs = 0;
  let evalsSinceBest = 0;
  let stoppedBy: BiLstmTrainResult['stoppedBy'] = 'epochs';
  let lossSum = 0;
  let lossCount = 0;
  let lastNote = performance.now();
  const evaluate = async (): Promise<boolean> => {
    const acc = await devAccuracy(model, data.dev);
    const loss = lossSum / Math.max(1, lossCount);
    curve.push({ step: steps, loss, devAccuracy: acc });
    lossSum = 0;
    lossCount = 0;
    const improved = acc > best;
    if (improved) {
      best = acc;
      bestStep = steps;
      evalsSinceBest = 0;
      if (bestWeights) tf.dispose(bestWeights);
      bestWeights = vars.map((v) => tf.clone(v));
    } else evalsSinceBest++;
    output.note(
      `  bilstm step ${steps} (epoch ${epochs + 1}): train loss ${loss.toFixed(4)}, dev accuracy ${(100 * acc).toFixed(2)}%${improved ? ' *' : ''}`,
    );
    return evalsSinceBest >= o.patience;
  };
  try {
    outer: for (; epochs < o.epochs; epochs++) {
      const batches = lengthBuckets(data.train, o.batch, rng);
      for (const group of batches) {
        if (o.steps !== undefined && steps >= o.steps) {
          stoppedBy = 'steps';
          break outer;
        }
        if (performance.now() / 1000 >= o.deadline) {
          stoppedBy = 'minutes';
          break outer;
        }
        const b = tagBatch(
          model,
          group.map((k) => data.train[k]!),
          dropWord,
        );
        optimizer.learningRate = rate();
        const seed = rng.int(2 ** 31);
        const loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () =>
              crossEntropy(bilstmLogits(model, b, true, seed), b.tags!, {
                mask: b.mask,
                checkTargets: false,
              }) as tf.Scalar,
            vars,
          );
          const byPath = new Map([...params].map(([path, v]) => [path, grads[v.name]!] as const));
          optimizer.apply(params, clipGradNorm(byPath, o.clip).grads);
          return value;
        });
        lossSum += (await loss.data())[0]!;
        lossCount++;
        loss.dispose();
        disposeTagBatch(b);
        steps++;
        if (performance.now() - lastNote > 15_000) {
          lastNote = performance.now();
          output.note(
            `  bilstm step ${steps}, epoch ${epochs + 1}: loss ${(lossSum / lossCount).toFixed(4)}`,
          );
        }
        if (steps % o.evalEvery === 0 && (await evaluate())) {
          stoppedBy = 'early-stopping';
          break outer;
        }
      }
    }
    if (curve.at(-1)?.step !== steps) await evaluate();
    if (bestWeights) for (const [i, v] of vars.entries()) v.assign(bestWeights[i]!);
  } finally {
    if (bestWeights) tf.dispose(bestWeights);
    optimizer.dispose();
  }
  return {
    steps,
    epochs,
    seconds: performance.now() / 1000 - started,
    bestDevAccuracy: best,
    bestStep,
    stoppedBy,
    curve,
  };
}
