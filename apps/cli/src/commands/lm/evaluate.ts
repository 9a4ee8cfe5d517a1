/**
 * Validation loss in nats per character. Recurrent models read the text as 16 contiguous streams
 * with the state carried (PyTorch's word_language_model evaluation); transformers read
 * non-overlapping windows of their context length from a fresh state (nanoGPT's estimate_loss
 * setting, so the figures compare with its 1.47 / 1.88).
 */
import { streamLoss, type TrainableModel, tokenCrossEntropy } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { LmHyperparameters } from './models.js';

export function validationLoss(
  model: TrainableModel,
  ids: Int32Array,
  h: Pick<LmHyperparameters, 'context'>,
): number {
  if (model.training === 'stream') return streamLoss(model, ids, { batchSize: 16, chunkLength: 256 }).loss;
  return windowLoss(model, ids, h.context);
}

function windowLoss(model: TrainableModel, ids: Int32Array, context: number): number {
  const windows = Math.floor((ids.length - 1) / context);
  const perBatch = 16;
  let total = 0;
  let count = 0;
  for (let w = 0; w < windows; w += perBatch) {
    const batch = Math.min(perBatch, windows - w);
    const inputs = new Int32Array(batch * context);
    const targets = new Int32Array(batch * context);
    for (let b = 0; b < batch; b++) {
      const start = (w + b) * context;
      inputs.set(ids.subarray(start, start + context), b * context);
      targets.set(ids.subarray(start + 1, start + context + 1), b * context);
    }
    const state = model.initialState(batch);
    const loss = tf.tidy(() => {
      const { logits } = model.forward(tf.tensor2d(inputs, [batch, context], 'int32'), state, {
        training: false,
      });
      return tokenCrossEntropy(
        logits as tf.Tensor3D,
        tf.tensor2d(targets, [batch, context], 'int32'),
        undefined,
      );
    });
    total += loss.dataSync()[0]! * batch * context;
    count += batch * context;
    loss.dispose();
    model.disposeState(state);
  }
  return total / count;
}
