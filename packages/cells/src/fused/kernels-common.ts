import { IdOutOfRangeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { type FusedKernel, maskAt, stepCols } from './kernel.js';

/**
 * pre = z + xw[:, t, offset : offset + n]: adds one step of the precomputed input projection to the
 * recurrent matmul's result, then multiplies columns [scaleFrom, scaleTo) by `scale` (2 for tanh blocks,
 * so that one sigmoid gives tanh a = 2σ(2a) - 1; scaling here keeps the weights untouched, and the wasm
 * backend's matmul keeps its packed copy of them). z: [batch, n], xw: [batch, time, width] -> [batch, n].
 */
export const addStep: FusedKernel = {
  name: 'StrandAddStep',
  outputShapes: (s) => [[...s['z']!]],
  js({ z, xw }, [out], s, a) {
    const [B, N] = s['z'] as [number, number];
    const [, T, W] = s['xw'] as [number, number, number];
    const t = a['t'] as number;
    const from = (a['scaleFrom'] as number | undefined) ?? N;
    const to = (a['scaleTo'] as number | undefined) ?? N;
    const k = (a['scale'] as number | undefined) ?? 1;
    for (let b = 0; b < B; b++) {
      const zr = b * N;
      const xr = (b * T + t) * W + (a['offset'] as number);
      for (let j = 0; j < N; j++) out![zr + j] = z![zr + j]! + xw![xr + j]!;
      for (let j = from; j < to; j++) out![zr + j]! *= k;
    }
  },
  ops({ z, xw }, a) {
    const N = z!.shape[1]!;
    const sum = tf.add(z!, stepCols(xw!, a['t'] as number, a['offset'] as number, N));
    const from = (a['scaleFrom'] as number | undefined) ?? N;
    const to = (a['scaleTo'] as number | undefined) ?? N;
    if (from >= to) return [sum];
    const k = a['scale'] as number;
    const scale = tf.concat([tf.ones([from]), tf.fill([to - from], k), tf.ones([N - to])]);
    return [tf.mul(sum, scale)];
  },
};

/**
 * The gradient reaching h_t, split by the mask. Sums the recurrent gradients (dhRec + dhRec2, times the
 * recurrent-dropout mask), the pass-through from later padded steps and the output gradient dOut[:, t].
 * Returns [valid, pass]: valid = the sum on real steps (0 on padding), pass = the sum without dOut on
 * padded steps (0 on real ones), because a padded step outputs zeros and hands h_{t-1} through unchanged.
 * attrs: t, batch, size, time. All inputs optional.
 */
export const maskedGrad: FusedKernel = {
  name: 'StrandMaskedGrad',
  outputShapes: (_, a) => [
    [a['batch'] as number, a['size'] as number],
    [a['batch'] as number, a['size'] as number],
  ],
  js({ dOut, dhRec, dhRec2, recMask, dhPass, mask }, [valid, pass], _, a) {
    const B = a['batch'] as number;
    const P = a['size'] as number;
    const T = a['time'] as number;
    const t = a['t'] as number;
    for (let b = 0; b < B; b++) {
      const isValid = mask === undefined || mask[b * T + t] !== 0;
      const yr = (b * T + t) * P;
      for (let j = 0; j < P; j++) {
        const i = b * P + j;
        let r = 0;
        if (dhRec !== undefined) r = dhRec[i]!;
        if (dhRec2 !== undefined) r += dhRec2[i]!;
        if (recMask !== undefined) r *= recMask[i]!;
        if (dhPass !== undefined) r += dhPass[i]!;
        if (isValid) {
          valid![i] = dOut === undefined ? r : r + dOut[yr + j]!;
          pass![i] = 0;
        } else {
          valid![i] = 0;
          pass![i] = r;
        }
      }
    }
  },
  ops({ dOut, dhRec, dhRec2, recMask, dhPass, mask }, a) {
    const t = a['t'] as number;
    let r: tf.Tensor = tf.zeros([a['batch'] as number, a['size'] as number]);
    if (dhRec) r = tf.add(r, dhRec);
    if (dhRec2) r = tf.add(r, dhRec2);
    if (recMask) r = tf.mul(r, recMask);
    if (dhPass) r = tf.add(r, dhPass);
    const total = dOut ? tf.add(r, stepCols(dOut, t, 0, a['size'] as number)) : r;
    const m = maskAt(mask, t);
    if (m === null) return [total, tf.zerosLike(r)];
    return [tf.mul(total, m), tf.mul(r, tf.sub(1, m))];
  },
};

/** h = mask ? hNew : hPrev and y = mask ? hNew : 0 at step t (used after an LSTM projection). */
export const selectStep: FusedKernel = {
  name: 'StrandSelectStep',
  outputShapes: (s) => [[...s['hNew']!], [...s['hNew']!]],
  js({ hNew, hPrev, mask }, [h, y], s, a) {
    const [B, P] = s['hNew'] as [number, number];
    const T = (s['mask'] as number[])[1]!;
    const t = a['t'] as number;
    for (let b = 0; b < B; b++) {
      const isValid = mask![b * T + t] !== 0;
      for (let j = 0; j < P; j++) {
        const i = b * P + j;
        h![i] = isValid ? hNew![i]! : hPrev![i]!;
        y![i] = isValid ? hNew![i]! : 0;
      }
    }
  },
  ops({ hNew, hPrev, mask }, a) {
    const m = maskAt(mask, a['t'] as number)!;
    return [tf.add(tf.mul(hNew!, m), tf.mul(hPrev!, tf.sub(1, m))), tf.mul(hNew!, m)];
  },
};

/** out = s[:, offset : offset + n] ⊙ h, with h: [batch, n] (the GRU's r ⊙ h). */
export const mulBlock: FusedKernel = {
  name: 'StrandMulBlock',
  outputShapes: (s) => [[...s['h']!]],
  js({ s: gates, h }, [out], s, a) {
    const [B, N] = s['h'] as [number, number];
    const W = (s['s'] as number[])[1]!;
    const off = a['offset'] as number;
    for (let b = 0; b < B; b++)
      for (let j = 0; j < N; j++) out![b * N + j] = gates![b * W + off + j]! * h![b * N + j]!;
  },
  ops: ({ s, h }, a) => [tf.mul(tf.slice(s!, [0, a['offset'] as number], [-1, h!.shape[1]!]), h!)],
};

/**
 * Builds the operand of a weight gradient from rows [x[b, t, :] (if given); 1 (if attrs.ones); s_t[b, :]
 * for the per-step inputs s0..s{T-1} (if given)], one per step (b · time + t). attrs.layout 'T' (default)
 * writes Aᵀ, [F + ones + P, batch · time]; attrs.rows = true writes A, [batch · time, F + ones + P].
 * Written by one JS pass, so the wasm backend needs neither a transpose (slow there) nor a transposed
 * matmul (slower).
 */
export const columnsT: FusedKernel = {
  name: 'StrandColumnsT',
  outputShapes: (s, a) => {
    const F = s['x']?.[2] ?? 0;
    const P = s['s0']?.[1] ?? 0;
    const K = F + (a['ones'] ? 1 : 0) + P;
    const N = (a['batch'] as number) * (a['time'] as number);
    return [a['rows'] ? [N, K] : [K, N]];
  },
  js(inputs, [out], s, a) {
    const B = a['batch'] as number;
    const T = a['time'] as number;
    const N = B * T;
    const x = inputs['x'];
    const F = s['x']?.[2] ?? 0;
    const P = s['s0']?.[1] ?? 0;
    const K = F + (a['ones'] ? 1 : 0) + P;
    // element (row r of Aᵀ, column col) lives at r · N + col in Aᵀ, col · K + r in A
    const rs = a['rows'] ? 1 : N;
    const cs = a['rows'] ? K : 1;
    let row = 0;
    if (x !== undefined) {
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          const src = (b * T + t) * F;
          const col = (b * T + t) * cs;
          for (let f = 0; f < F; f++) out![f * rs + col] = x[src + f]!;
        }
      }
      row = F;
    }
    if (a['ones']) {
      if (a['rows']) for (let col = 0; col < N; col++) out![col * K + row] = 1;
      else out!.fill(1, row * N, (row + 1) * N);
      row++;
    }
    for (let t = 0; t < T && P > 0; t++) {
      const st = inputs[`s${t}`]!;
      for (let b = 0; b < B; b++) {
        const col = (b * T + t) * cs;
        const src = b * P;
        for (let p = 0; p < P; p++) out![(row + p) * rs + col] = st[src + p]!;
      }
    }
  },
  ops(inputs, a) {
    const B = a['batch'] as number;
    const T = a['time'] as number;
    const parts: tf.Tensor[] = [];
    const x = inputs['x'];
    if (x) parts.push(tf.reshape(x, [B * T, x.shape[2]!]));
    if (a['ones']) parts.push(tf.ones([B * T, 1]));
    if (inputs['s0']) {
      const steps = Array.from({ length: T }, (_, t) => inputs[`s${t}`]!);
      parts.push(tf.reshape(tf.stack(steps, 1), [B * T, steps[0]!.shape[1]!]));
    }
    const rows = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    return [a['rows'] ? rows : tf.transpose(rows)];
  },
};

/**
 * The transpose of a [n, m] matrix, or of the stacked per-step [batch, m] tensors s0..s{T-1} (row b · time + t),
 * written by one JS pass (the wasm backend's transpose is slow) -> [m, n].
 */
export const transposeRows: FusedKernel = {
  name: 'StrandTransposeRows',
  outputShapes: (s, a) => {
    if (s['m']) return [[s['m'][1]!, s['m'][0]!]];
    return [[s['s0']![1]!, s['s0']![0]! * (a['time'] as number)]];
  },
  js(inputs, [out], s, a) {
    const m = inputs['m'];
    if (m !== undefined) {
      const [n, w] = s['m'] as [number, number];
      for (let i = 0; i < n; i++) {
        const src = i * w;
        for (let j = 0; j < w; j++) out![j * n + i] = m[src + j]!;
      }
      return;
    }
    const [B, w] = s['s0'] as [number, number];
    const T = a['time'] as number;
    const n = B * T;
    for (let t = 0; t < T; t++) {
      const st = inputs[`s${t}`]!;
      for (let b = 0; b < B; b++) {
        const col = b * T + t;
        const src = b * w;
        for (let j = 0; j < w; j++) out![j * n + col] = st[src + j]!;
      }
    }
  },
  ops(inputs, a) {
    if (inputs['m']) return [tf.transpose(inputs['m'])];
    const T = a['time'] as number;
    const steps = Array.from({ length: T }, (_, t) => inputs[`s${t}`]!);
    const [B, w] = steps[0]!.shape as [number, number];
    return [tf.transpose(tf.reshape(tf.stack(steps, 1), [B * T, w]))];
  },
};

/**
 * out[i, :] = table[ids[i], :]: a row lookup (the wasm backend's GatherV2 takes about 0.25 µs per element,
 * 50x a JS copy). table: [V, G] float32, ids: int32 of any shape (n ids) -> [n, G].
 */
export const gatherRows: FusedKernel = {
  name: 'StrandGatherRows',
  outputShapes: (s) => [[(s['ids'] ?? []).reduce((a, b) => a * b, 1), s['table']![1]!]],
  js({ table, ids }, [out], s) {
    const [V, G] = s['table'] as [number, number];
    const n = ids!.length;
    for (let i = 0; i < n; i++) {
      const id = ids![i]!;
      if (!(id >= 0 && id < V)) throw new IdOutOfRangeError(id, i, V, 'token id');
      out!.set(table!.subarray(id * G, id * G + G), i * G);
    }
  },
  ops: ({ table, ids }) => [tf.gather(table!, tf.reshape(ids!, [-1]))],
};

/** The gradient of gatherRows w.r.t. the table: out[v, :] = Σ_{i: ids[i] = v} dy[i, :]. attrs.rows = V. */
export const scatterRows: FusedKernel = {
  name: 'StrandScatterRows',
  outputShapes: (s, a) => [[a['rows'] as number, s['dy']![1]!]],
  js({ dy, ids }, [out], s) {
    const G = (s['dy'] as number[])[1]!;
    const n = ids!.length;
    out!.fill(0); // the wasm backend's fresh output memory is not zeroed
    for (let i = 0; i < n; i++) {
      const o = ids![i]! * G;
      const d = i * G;
      for (let j = 0; j < G; j++) out![o + j]! += dy![d + j]!;
    }
  },
  ops: ({ dy, ids }, a) => [tf.unsortedSegmentSum(dy!, tf.reshape(ids!, [-1]), a['rows'] as number)],
};
