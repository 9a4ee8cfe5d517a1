/**
 * Stateful one-step decoding over any AutoregressiveModel: the prompt runs once, then each new
 * token runs alone from the carried state (a recurrent state, or a transformer's KV cache), never
 * re-running the prefix.
 */
import { InputError, type Sequence } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import type { AutoregressiveModel } from '../model.js';
import { checkIdValues, tidy } from '../models/common.js';
import { mapStateLeaves } from '../models/recurrent.js';

export interface Stepper<S> {
  /** Next-token logits of each row, [rows][vocabSize], after everything fed so far. */
  readonly logits: Float32Array[];
  /** Feeds one token per row and updates `logits`. */
  feed(tokens: readonly number[]): void;
  /** Keeps only rows `rows` (in that order; repeats allowed): beam search reordering. */
  select(rows: readonly number[]): void;
  readonly state: S;
  dispose(): void;
}

/** The state of rows `rows`: the model's own selectState, else a gather along axis 0 of every tensor. */
export function selectRows<S>(model: AutoregressiveModel<S>, state: S, rows: readonly number[]): S {
  if (model.selectState) return model.selectState(state, rows);
  return tidy(() => {
    const idx = tf.tensor1d(Int32Array.from(rows), 'int32');
    return model.keepState(mapStateLeaves(state, (t) => tf.gather(t, idx, 0)));
  });
}

/**
 * Runs `prompts` (one per row, all the same length, at least one token each) and returns a stepper.
 * The prompt is fed in chunks of at most the model's context length.
 */
export function createStepper<S>(model: AutoregressiveModel<S>, prompts: readonly Sequence[]): Stepper<S> {
  const B = prompts.length;
  const L = prompts[0]?.length ?? 0;
  if (B === 0 || L === 0 || prompts.some((p) => p.length !== L)) {
    throw new InputError({
      what: 'prompt',
      expected: 'at least one token (and the same length in every row)',
      received: `lengths [${prompts.map((p) => p.length).join(', ')}]`,
    });
  }
  prompts.forEach((p, k) => {
    checkIdValues(p, model.vocabSize, `prompt[${k}] id`);
  });
  let state = model.initialState(B);
  let logits: Float32Array[] = [];
  const run = (ids: Int32Array, T: number): void => {
    const rows = ids.length / T;
    const { next, last } = tidy(() => {
      const r = model.forward(tf.tensor2d(ids, [rows, T], 'int32'), state, { training: false });
      const lastStep = tf.reshape(tf.slice(r.logits, [0, T - 1, 0], [rows, 1, -1]), [rows, model.vocabSize]);
      return { next: model.keepState(r.state), last: lastStep };
    });
    model.disposeState(state);
    state = next;
    const v = last.dataSync() as Float32Array;
    last.dispose();
    const V = model.vocabSize;
    logits = Array.from({ length: rows }, (_, b) => v.slice(b * V, (b + 1) * V));
  };
  const chunk = Number.isFinite(model.contextLength) ? model.contextLength : 512;
  for (let t0 = 0; t0 < L; t0 += chunk) {
    const T = Math.min(chunk, L - t0);
    const ids = new Int32Array(B * T);
    prompts.forEach((p, b) => {
      for (let t = 0; t < T; t++) ids[b * T + t] = p[t0 + t]!;
    });
    run(ids, T);
  }
  return {
    get logits() {
      return logits;
    },
    get state() {
      return state;
    },
    feed(tokens) {
      checkIdValues(tokens, model.vocabSize, 'token');
      run(Int32Array.from(tokens), 1);
    },
    select(rows) {
      const next = selectRows(model, state, rows);
      model.disposeState(state);
      state = next;
      logits = rows.map((r) => logits[r]!);
    },
    dispose() {
      model.disposeState(state);
    },
  };
}
