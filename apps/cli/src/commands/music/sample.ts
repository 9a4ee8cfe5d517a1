/**
 * Sampling a chorale from a trained music model: start from a chord, then at each step draw every
 * key from its own Bernoulli given the past (the model's factorisation), carrying the cell state.
 */
import { Rng } from '@strand/base';
import { rnn } from '@strand/cells';
import { linear } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import type { MusicModel } from './model.js';
import { KEYS, type Roll } from './roll.js';

/** `first`: the opening chord (88 0/1 values); `steps`: total length including it. */
export async function sampleRoll(
  model: MusicModel,
  first: Uint8Array,
  steps: number,
  { seed = 0, temperature = 1 } = {},
): Promise<Roll> {
  const rng = new Rng(seed);
  const data = new Uint8Array(steps * KEYS);
  data.set(first.subarray(0, KEYS));
  let state: unknown;
  for (let t = 1; t < steps; t++) {
    const x = tf.tensor3d(data.subarray((t - 1) * KEYS, t * KEYS), [1, 1, KEYS], 'float32');
    const result = tf.tidy(() => {
      const r = rnn(model.cell, x, {
        ...(state === undefined ? {} : { initialState: state as never }),
        returnState: true,
      });
      const logits = linear(model.head, r.outputs as tf.Tensor3D);
      return { probs: tf.sigmoid(tf.div(logits, temperature)), state: r.state };
    });
    x.dispose();
    disposeTree(state);
    state = result.state;
    const p = await result.probs.data();
    result.probs.dispose();
    for (let k = 0; k < KEYS; k++) data[t * KEYS + k] = rng.next() < p[k]! ? 1 : 0;
  }
  disposeTree(state);
  return { data, time: steps };
}

function disposeTree(tree: unknown): void {
  if (tree instanceof tf.Tensor) tree.dispose();
  else if (Array.isArray(tree)) for (const t of tree) disposeTree(t);
  else if (tree && typeof tree === 'object') for (const v of Object.values(tree)) disposeTree(v);
}
