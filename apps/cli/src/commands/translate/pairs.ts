/**
 * The adapter between the trainer's loop and @strand/attention's `EncoderDecoderModel`: the loop
 * trains any `TrainableModel` on batches of one id matrix, so a pair batch travels as one row per
 * pair, [source (S) | target input (T)], and `pairModel` splits it at S again; S of the batch being
 * trained is shared through `layout`, set by the data source when the loop draws the batch. The
 * loss slices the targets (and their mask) to the last T columns. Browser-safe: the playground
 * trains with the same pieces.
 */
import type { EncoderDecoderModel } from '@strand/attention';
import { crossEntropy, type DataSource, type LossFn, type TrainableModel } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { type EncodedPair, epochBatches, padBatch } from './data.js';

/** The checkpoint's `model.kind` of a translate run (its `model.model` is the translator's config). */
export const TRANSLATE_CHECKPOINT_KIND = 'translate-pair';

export interface Layout {
  sourceLength: number;
}

/** The adapter: a TrainableModel over [source | targetIn] rows. */
export function pairModel(
  model: EncoderDecoderModel,
  layout: Layout,
  teacherForcing: number,
): TrainableModel<null> {
  return {
    config: { kind: TRANSLATE_CHECKPOINT_KIND, model: model.config, teacherForcing },
    params: model.params,
    training: 'window',
    initialState: () => null,
    keepState: () => null,
    disposeState: () => {},
    forward(ids, _state, options) {
      const [B, L] = ids.shape;
      const S = layout.sourceLength;
      const src = tf.slice(ids, [0, 0], [B, S]) as tf.Tensor2D;
      const tgtIn = tf.slice(ids, [0, S], [B, L - S]) as tf.Tensor2D;
      const sourceMask = tf.cast(tf.notEqual(src, 0), 'float32') as tf.Tensor2D;
      const r = model.forward(src, tgtIn, {
        training: options.training,
        sourceMask,
        teacherForcing,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      });
      return { logits: r.logits, state: null };
    },
  };
}

/** Mean cross-entropy over the real target tokens of the last T columns. */
export const pairLoss: LossFn = (logits, targets, mask) => {
  const [B, L] = targets.shape as [number, number];
  const T = logits.shape[1]!;
  const y = tf.slice(targets, [0, L - T], [B, T]);
  const m = mask === undefined ? undefined : tf.slice(mask, [0, L - T], [B, T]);
  return crossEntropy(logits, y, { ...(m ? { mask: m } : {}), checkTargets: false }) as tf.Scalar;
};

function joinRows(b: ReturnType<typeof padBatch>) {
  const L = b.sourceLength + b.targetLength;
  const inputs = new Int32Array(b.batch * L);
  const targets = new Int32Array(b.batch * L);
  const mask = new Float32Array(b.batch * L);
  for (let r = 0; r < b.batch; r++) {
    inputs.set(b.src.subarray(r * b.sourceLength, (r + 1) * b.sourceLength), r * L);
    inputs.set(b.tgtIn.subarray(r * b.targetLength, (r + 1) * b.targetLength), r * L + b.sourceLength);
    targets.set(b.tgtOut.subarray(r * b.targetLength, (r + 1) * b.targetLength), r * L + b.sourceLength);
    mask.set(b.mask.subarray(r * b.targetLength, (r + 1) * b.targetLength), r * L + b.sourceLength);
  }
  return { inputs, targets, mask, batch: b.batch, length: L };
}

export function pairData(pairs: readonly EncodedPair[], batchSize: number, seed: number, layout: Layout) {
  let cached: { epoch: number; batches: EncodedPair[][] } | null = null;
  const source: DataSource = {
    contiguous: false,
    batchesPerEpoch: Math.ceil(pairs.length / batchSize),
    batch(epoch, index) {
      if (cached?.epoch !== epoch) cached = { epoch, batches: epochBatches(pairs, batchSize, seed, epoch) };
      const b = padBatch(cached.batches[index]!);
      layout.sourceLength = b.sourceLength;
      return joinRows(b);
    },
  };
  return source;
}

/** Teacher-forced mean cross-entropy (nats per target token) over `pairs`. */
export function pairNll(model: EncoderDecoderModel, pairs: readonly EncodedPair[], batchSize = 64): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < pairs.length; i += batchSize) {
    const b = padBatch(pairs.slice(i, i + batchSize));
    const tokens = b.mask.reduce((a, v) => a + v, 0);
    const loss = tf.tidy(() => {
      const src = tf.tensor2d(b.src, [b.batch, b.sourceLength], 'int32');
      const r = model.forward(src, tf.tensor2d(b.tgtIn, [b.batch, b.targetLength], 'int32'), {
        training: false,
        sourceMask: tf.cast(tf.notEqual(src, 0), 'float32') as tf.Tensor2D,
      });
      return crossEntropy(r.logits, tf.tensor2d(b.tgtOut, [b.batch, b.targetLength], 'int32'), {
        mask: tf.tensor2d(b.mask, [b.batch, b.targetLength]),
        checkTargets: false,
      });
    });
    sum += loss.dataSync()[0]! * tokens;
    loss.dispose();
    count += tokens;
  }
  return sum / Math.max(1, count);
}
