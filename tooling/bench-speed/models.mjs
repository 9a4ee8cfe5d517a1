// The benchmark models, shared by gpu.mjs and memory-worker.mjs: the cells char-level LSTM/GRU (its
// bench/strand-model.mjs, built package) and the attention package's decoder-only transformer LM.
import { TransformerLm } from '@strand/attention';
import { stepper } from '@strand/cells';
import { namedParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { randomIds } from '../../packages/attention/bench/lm-step.mjs';
import { strandModel, strandTrainStep } from '../../packages/cells/bench/strand-model.mjs';

export { strandTrainStep };

/** Forward + backward + Adam of the transformer LM; an async step function plus dispose. */
export function transformerTrainStep(c) {
  const lm = new TransformerLm({
    kind: 'transformer',
    vocabSize: c.V,
    contextLength: c.T,
    dModel: c.D,
    numHeads: c.heads,
    numLayers: c.L,
    activation: 'gelu',
  });
  const vars = [...namedParameters(lm.params).values()];
  const opt = tf.train.adam(1e-3);
  const x = tf.tensor2d(randomIds(c.B * c.T, c.V, 1), [c.B, c.T], 'int32');
  const y = tf.oneHot(tf.tensor1d(randomIds(c.B * c.T, c.V, 2), 'int32'), c.V);
  const loss = () => {
    const { logits } = lm.forward(x, lm.initialState(c.B), { training: true, seed: 0 });
    return tf.losses.softmaxCrossEntropy(y, tf.reshape(logits, [c.B * c.T, c.V]));
  };
  const step = async () => {
    const l = opt.minimize(loss, true, vars);
    await l.data();
    l.dispose();
  };
  return step;
}

/** ms per generated token for one sequence (greedy) with the cells stepper. */
export async function recurrentGenerate(kind, cfg, tokens = 100) {
  const m = strandModel(kind, cfg);
  const s = stepper(m.cell, { table: m.embedding });
  let token = 0;
  const next = async () => {
    const id = tf.tidy(() => tf.argMax(m.logits(s.step(token)), 1));
    token = (await id.data())[0];
    id.dispose();
  };
  for (let i = 0; i < 10; i++) await next();
  const t0 = performance.now();
  for (let i = 0; i < tokens; i++) await next();
  const ms = (performance.now() - t0) / tokens;
  s.dispose();
  return ms;
}

/** Median ms of `steps` timed calls after `warmup`, and the tensor-bytes peak of one more (tf.profile). */
export async function measure(step, { warmup = 1, steps = 3 } = {}) {
  for (let i = 0; i < warmup; i++) await step();
  const ms = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  let peakBytes = Number.NaN;
  try {
    const info = await tf.profile(async () => {
      await step();
      return [];
    });
    peakBytes = info.peakBytes;
  } catch {
    // profiling is best-effort (some backends cannot)
  }
  return { ms: ms[Math.floor(ms.length / 2)], peakBytes };
}
