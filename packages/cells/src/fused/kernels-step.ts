import * as tf from '@tensorflow/tfjs-core';
import { cols, type FusedKernel, type KernelArrays, type KernelAttrs } from './kernel.js';

/** Cell variants of the one-step kernel (attr `variant`). */
export const STEP_LSTM = 0;
export const STEP_GRU_AFTER = 1;
export const STEP_GRU_MINIMAL = 2;
export const STEP_RNN_TANH = 3;
export const STEP_RNN_RELU = 4;

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Row b of the step's input projection: xw[b] ([batch, G]) or, for one sequence, table[row] ([V, G]). */
function inputRow(inputs: KernelArrays, a: KernelAttrs, b: number, G: number): [Float32Array, number] {
  if (inputs['xw'] !== undefined) return [inputs['xw'], b * G];
  return [inputs['table']!, (a['row'] as number) * G];
}

/**
 * One whole recurrent step after the recurrent matmul, in one launch (generation: the per-op overhead of
 * the ~10 pointwise ops a step otherwise takes dominates at batch 1).
 * Inputs: a = h_{t-1} · Wh, [batch, G]; the input projection x · Wx + b as `xw` [batch, G], or as a folded
 * table [V, G] with attr `row` (batch 1); hPrev [batch, H]; cPrev [batch, H] (LSTM); bh [G] (GRU resetAfter,
 * optional). Attrs: variant (STEP_*), leak (simple RNN). Outputs: [h] or, for the LSTM, [h, c].
 * Same equations as the cells' `step` (see lstm.ts, gru.ts, simple-rnn.ts).
 */
export const cellStep: FusedKernel = {
  name: 'StrandCellStep',
  outputShapes: (s, a) =>
    a['variant'] === STEP_LSTM ? [[...s['hPrev']!], [...s['hPrev']!]] : [[...s['hPrev']!]],
  js(inputs, outs, s, a) {
    const [B, H] = s['hPrev'] as [number, number];
    const G = (s['a'] as number[])[1]!;
    const z = inputs['a']!;
    const hPrev = inputs['hPrev']!;
    const h = outs[0]!;
    const variant = a['variant'] as number;
    for (let b = 0; b < B; b++) {
      const [x, xo] = inputRow(inputs, a, b, G);
      const zo = b * G;
      const ho = b * H;
      if (variant === STEP_LSTM) {
        const cPrev = inputs['cPrev']!;
        const c = outs[1]!;
        for (let j = 0; j < H; j++) {
          const i = sigmoid(z[zo + j]! + x[xo + j]!);
          const f = sigmoid(z[zo + H + j]! + x[xo + H + j]!);
          const g = Math.tanh(z[zo + 2 * H + j]! + x[xo + 2 * H + j]!);
          const o = sigmoid(z[zo + 3 * H + j]! + x[xo + 3 * H + j]!);
          const cv = f * cPrev[ho + j]! + i * g;
          c[ho + j] = cv;
          h[ho + j] = o * Math.tanh(cv);
        }
      } else if (variant === STEP_GRU_AFTER) {
        const bh = inputs['bh'];
        for (let j = 0; j < H; j++) {
          const hr = z[zo + j]! + (bh === undefined ? 0 : bh[j]!);
          const hz = z[zo + H + j]! + (bh === undefined ? 0 : bh[H + j]!);
          const hn = z[zo + 2 * H + j]! + (bh === undefined ? 0 : bh[2 * H + j]!);
          const r = sigmoid(x[xo + j]! + hr);
          const u = sigmoid(x[xo + H + j]! + hz);
          const n = Math.tanh(x[xo + 2 * H + j]! + r * hn);
          h[ho + j] = n + u * (hPrev[ho + j]! - n);
        }
      } else if (variant === STEP_GRU_MINIMAL) {
        for (let j = 0; j < H; j++) {
          const u = sigmoid(x[xo + j]! + z[zo + j]!);
          const n = Math.tanh(x[xo + H + j]! + z[zo + H + j]!);
          h[ho + j] = n + u * (hPrev[ho + j]! - n);
        }
      } else {
        const leak = a['leak'] as number;
        for (let j = 0; j < H; j++) {
          const pre = x[xo + j]! + z[zo + j]!;
          const f = variant === STEP_RNN_RELU ? Math.max(pre, 0) : Math.tanh(pre);
          h[ho + j] = leak === 1 ? f : (1 - leak) * hPrev[ho + j]! + leak * f;
        }
      }
    }
  },
  ops(inputs, a) {
    const { a: z, hPrev, cPrev, bh } = inputs;
    const H = hPrev!.shape[1]!;
    const x = inputs['xw'] ?? tf.slice(inputs['table']!, [a['row'] as number, 0], [1, -1]);
    const variant = a['variant'] as number;
    if (variant === STEP_LSTM) {
      const pre = tf.add(z!, x);
      const i = tf.sigmoid(cols(pre, 0, H));
      const f = tf.sigmoid(cols(pre, H, H));
      const g = tf.tanh(cols(pre, 2 * H, H));
      const o = tf.sigmoid(cols(pre, 3 * H, H));
      const c = tf.add(tf.mul(f, cPrev!), tf.mul(i, g));
      return [tf.mul(o, tf.tanh(c)), c];
    }
    if (variant === STEP_GRU_AFTER) {
      const hw = bh ? tf.add(z!, bh) : z!;
      const r = tf.sigmoid(tf.add(cols(x, 0, H), cols(hw, 0, H)));
      const u = tf.sigmoid(tf.add(cols(x, H, H), cols(hw, H, H)));
      const n = tf.tanh(tf.add(cols(x, 2 * H, H), tf.mul(r, cols(hw, 2 * H, H))));
      return [tf.add(n, tf.mul(u, tf.sub(hPrev!, n)))];
    }
    if (variant === STEP_GRU_MINIMAL) {
      const u = tf.sigmoid(tf.add(cols(x, 0, H), cols(z!, 0, H)));
      const n = tf.tanh(tf.add(cols(x, H, H), cols(z!, H, H)));
      return [tf.add(n, tf.mul(u, tf.sub(hPrev!, n)))];
    }
    const pre = tf.add(x, z!);
    const f = variant === STEP_RNN_RELU ? tf.relu(pre) : tf.tanh(pre);
    const leak = a['leak'] as number;
    return [leak === 1 ? f : tf.add(tf.mul(hPrev!, 1 - leak), tf.mul(f, leak))];
  },
};
