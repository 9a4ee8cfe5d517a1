/** Rebuilding a trained model from a checkpoint. */
import { loadParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from '../model.js';
import { createModel } from '../models/registry.js';
import { type Checkpoint, tensorsUnder } from './format.js';

/**
 * The checkpoint's model, rebuilt from its config with the saved weights (the checkpoint's
 * tensors are disposed).
 *
 * @example
 * const lm = restoreModel(await loadLatest(directoryStore('runs/lm'))) as LanguageModel;
 */
export function restoreModel(checkpoint: Checkpoint): TrainableModel {
  const model = createModel(checkpoint.meta.model);
  loadParameters(model.params, tensorsUnder(checkpoint.tensors, 'model'));
  tf.dispose([...checkpoint.tensors.values()]);
  return model;
}
