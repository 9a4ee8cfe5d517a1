// The Strand side of the cells benchmark: a char-level LSTM/GRU language model and its training step
// (forward + backward + Adam). Shared by run.mjs and profile.mjs.
import {
  createParameter,
  deriveSeed,
  initializers,
  initLinear,
  linear,
  trainableParameters,
} from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { gru, lstm, projectTokens, rnn } from '../dist/index.js';

export const FULL = { B: 32, T: 64, E: 64, H: 256, V: 65, warmup: 2, steps: 3, genTokens: 40 };

export function randomIds(cfg, seed) {
  let s = seed;
  return Array.from({ length: cfg.B * cfg.T }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % cfg.V;
  });
}

export function strandModel(kind, cfg) {
  const { E, H, V } = cfg;
  const cell = (kind === 'lstm' ? lstm : gru)({ inputSize: E, units: H, seed: 1 });
  const embedding = createParameter(initializers.normal({ stddev: 0.1 }), [V, E], deriveSeed(1, 'embedding'));
  const out = initLinear({ inputSize: H, outputSize: V, seed: 2 });
  const params = { embedding, cell: cell.params, out };
  const logits = (h2) => linear(out, h2);
  return { cell, params, embedding, logits };
}

/**
 * One training step (forward + backward + Adam) as an async function. fold: gather rows of the folded
 * table E · Wx + b (`projectTokens`: `foldInputProjection` plus a JS row lookup) instead of embedding then projecting every step.
 */
export function strandTrainStep(kind, cfg, { fold = false } = {}) {
  const m = strandModel(kind, cfg);
  const vars = trainableParameters(m.params);
  const opt = tf.train.adam(1e-3);
  const x = tf.tensor1d(randomIds(cfg, 1), 'int32');
  const ids = tf.reshape(x, [cfg.B, cfg.T]);
  const y = tf.oneHot(tf.tensor1d(randomIds(cfg, 2), 'int32'), cfg.V);
  const loss = () => {
    const e = fold
      ? projectTokens(m.cell, m.embedding, ids)
      : tf.reshape(tf.gather(m.embedding, x), [cfg.B, cfg.T, cfg.E]);
    const { outputs } = rnn(m.cell, e, { inputsProjected: fold });
    return tf.losses.softmaxCrossEntropy(y, m.logits(tf.reshape(outputs, [cfg.B * cfg.T, cfg.H])));
  };
  return async () => {
    const l = opt.minimize(loss, true, vars);
    await l.data();
    l.dispose();
  };
}
