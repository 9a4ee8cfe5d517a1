/**
 * Exact log-probabilities of whole sequences under an autoregressive model, batched and chunked.
 * One device read per chunk ([batch] sums); `sequenceLogProbs` reads synchronously (cpu, wasm),
 * `sequenceLogProbsAsync` asynchronously (every backend, WebGPU included), with the same values.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AutoregressiveModel } from '../model.js';
import { type Reads, readAsync, readSync } from '../reads.js';
import { checkIdValues, tidy } from './common.js';

export interface LogProbOptions {
  /** Sequences run side by side. Default 32. */
  readonly batchSize?: number;
  /** Steps per forward call (the state is carried between chunks). Default 256. */
  readonly chunkLength?: number;
}

/**
 * log p(s) per sequence: the sum over positions t >= 1 of log p(s_t | s_<t), or over every
 * position when `bos` is given (it is prepended as context). Sequences of one batch are right-padded
 * and masked, so each result is exactly what a batch of one would give.
 */
export function sequenceLogProbs(
  model: AutoregressiveModel,
  sequences: readonly (readonly number[] | Int32Array)[],
  bos: number | null,
  options: LogProbOptions = {},
): number[] {
  return readSync(logProbSteps(model, sequences, bos, options));
}

/** `sequenceLogProbs` reading asynchronously: the same values, on every backend (WebGPU included). */
export function sequenceLogProbsAsync(
  model: AutoregressiveModel,
  sequences: readonly (readonly number[] | Int32Array)[],
  bos: number | null,
  options: LogProbOptions = {},
): Promise<number[]> {
  return readAsync(logProbSteps(model, sequences, bos, options));
}

/** The computation, yielding its reads (see ../reads.ts). */
function* logProbSteps(
  model: AutoregressiveModel,
  sequences: readonly (readonly number[] | Int32Array)[],
  bos: number | null,
  { batchSize = 32, chunkLength = 256 }: LogProbOptions,
): Reads<number[]> {
  const V = model.vocabSize;
  const full = sequences.map((s, k) => {
    checkIdValues(s, V, `sequences[${k}] id`);
    return bos === null ? Array.from(s) : [bos, ...s];
  });
  const out = new Array<number>(full.length).fill(0);
  // Longest first, so each batch pads little.
  const order = full.map((_, i) => i).sort((a, b) => full[b]!.length - full[a]!.length);
  for (let at = 0; at < order.length; at += batchSize) {
    const rows = order.slice(at, at + batchSize).filter((i) => full[i]!.length >= 2);
    if (rows.length === 0) continue;
    const B = rows.length;
    const steps = full[rows[0]!]!.length - 1; // predictions in the longest sequence
    let state = model.initialState(B);
    const totals = new Float64Array(B);
    try {
      for (let t0 = 0; t0 < steps; t0 += chunkLength) {
        const T = Math.min(chunkLength, steps - t0);
        const x = new Int32Array(B * T);
        const y = new Int32Array(B * T);
        const m = new Float32Array(B * T);
        rows.forEach((r, b) => {
          const s = full[r]!;
          for (let t = 0; t < T; t++) {
            const p = t0 + t;
            if (p + 1 < s.length) {
              x[b * T + t] = s[p]!;
              y[b * T + t] = s[p + 1]!;
              m[b * T + t] = 1;
            }
          }
        });
        const padded = m.some((v) => v === 0);
        const { next, lp } = tidy(() => {
          const ids = tf.tensor2d(x, [B, T], 'int32');
          const mask = padded ? tf.tensor2d(m, [B, T]) : undefined;
          const r = model.forward(ids, state, { training: false, ...(mask ? { mask } : {}) });
          const logp = tf.logSoftmax(r.logits); // [B, T, V]
          const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor2d(y, [B, T], 'int32'), V)), -1); // [B, T]
          const masked = mask ? tf.mul(picked, mask) : picked;
          return { next: model.keepState(r.state), lp: tf.sum(masked, 1) }; // lp [B]
        });
        model.disposeState(state);
        state = next;
        const v = yield lp;
        for (let b = 0; b < B; b++) totals[b]! += v[b]!;
      }
    } finally {
      model.disposeState(state);
    }
    rows.forEach((r, b) => {
      out[r] = totals[b]!;
    });
  }
  return out;
}
