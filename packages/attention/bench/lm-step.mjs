// The attention benchmark model, shared by run.mjs and ratio.mjs: the 4-layer, 4-head, width-128
// decoder-only LM (tiny under STRAND_BENCH_SMOKE=1) and its forward + backward step.
import { namedParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';

const smoke = process.env.STRAND_BENCH_SMOKE === '1';
export const LM = smoke
  ? { B: 2, T: 16, V: 65, D: 32, H: 4, L: 1 }
  : { B: 16, T: 128, V: 65, D: 128, H: 4, L: 4 };

/** n seeded ids in [0, vocab) (a linear congruential generator: the same ids as the PyTorch peer's run). */
export function randomIds(n, vocab, seed) {
  const out = new Int32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s % vocab;
  }
  return out;
}

/**
 * The LM at batch B and context T: `grads()` is one forward + backward (the gradients of the mean
 * cross-entropy w.r.t. every parameter), { value, grads } for the caller to read and dispose;
 * `dispose()` frees the model and its batch.
 */
export function lmGradients(TransformerLm, B, T) {
  const lm = new TransformerLm({
    kind: 'transformer',
    vocabSize: LM.V,
    contextLength: T,
    dModel: LM.D,
    numHeads: LM.H,
    numLayers: LM.L,
    activation: 'gelu',
  });
  const vars = [...namedParameters(lm.params).values()];
  const x = tf.tensor2d(randomIds(B * T, LM.V, 1), [B, T], 'int32');
  const y = tf.oneHot(tf.tensor1d(randomIds(B * T, LM.V, 2), 'int32'), LM.V);
  return {
    grads: () =>
      tf.variableGrads(() => {
        const { logits } = lm.forward(x, lm.initialState(B), { training: true, seed: 0 });
        return tf.losses.softmaxCrossEntropy(y, tf.reshape(logits, [B * T, LM.V]));
      }, vars),
    dispose: () => tf.dispose([x, y, ...vars]),
  };
}
