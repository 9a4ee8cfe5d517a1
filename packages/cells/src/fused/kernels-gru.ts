import * as tf from '@tensorflow/tfjs-core';
import { cols, type FusedKernel, maskAt, stepCols } from './kernel.js';

// Full GRU blocks are r, z, n. The kernels double the n block's pre-activation, so that
// n = tanh(pre_n) = 2 σ(2 pre_n) - 1 comes out of one sigmoid launch.

/**
 * resetAfter, forward part 1: preRZ = xw[:, t, :2H] + a[:, :2H] + bh[:2H] and hn2 = a[:, 2H:] + bh[2H:]
 * (= 2 (h U_n + b_hn)). a: [batch, 3H], xw: [batch, time, 3H], bh?: [3H] -> [preRZ [batch, 2H], hn2 [batch, H]].
 */
export const gruPre: FusedKernel = {
  name: 'StrandGruPre',
  outputShapes: (s) => {
    const [B, W] = s['a'] as [number, number];
    return [
      [B, (2 * W) / 3],
      [B, W / 3],
    ];
  },
  js({ a, xw, bh }, [preRZ, hn2], s, attrs) {
    const [B, W] = s['a'] as [number, number];
    const T = (s['xw'] as number[])[1]!;
    const H = W / 3;
    const t = attrs['t'] as number;
    for (let b = 0; b < B; b++) {
      const ar = b * W;
      const xr = (b * T + t) * W;
      for (let j = 0; j < 2 * H; j++)
        preRZ![b * 2 * H + j] = xw![xr + j]! + a![ar + j]! + (bh === undefined ? 0 : bh[j]!);
      for (let j = 0; j < H; j++)
        hn2![b * H + j] = 2 * (a![ar + 2 * H + j]! + (bh === undefined ? 0 : bh[2 * H + j]!));
    }
  },
  ops({ a, xw, bh }, attrs) {
    const H = a!.shape[1]! / 3;
    let pre: tf.Tensor = tf.add(cols(a!, 0, 2 * H), stepCols(xw!, attrs['t'] as number, 0, 2 * H));
    let hn: tf.Tensor = cols(a!, 2 * H, H);
    if (bh) {
      pre = tf.add(pre, tf.slice(bh, [0], [2 * H]));
      hn = tf.add(hn, tf.slice(bh, [2 * H], [H]));
    }
    return [pre, tf.mul(hn, 2)];
  },
};

/** resetAfter, forward part 2: pn2 = 2 xw[:, t, 2H:] + r ⊙ hn2 (= 2 pre_n). srz: [batch, 2H] -> [batch, H]. */
export const gruCandidate: FusedKernel = {
  name: 'StrandGruCandidate',
  outputShapes: (s) => [[...s['hn2']!]],
  js({ srz, hn2, xw }, [pn2], s, attrs) {
    const [B, H] = s['hn2'] as [number, number];
    const T = (s['xw'] as number[])[1]!;
    const t = attrs['t'] as number;
    for (let b = 0; b < B; b++) {
      const xr = (b * T + t) * 3 * H + 2 * H;
      for (let j = 0; j < H; j++)
        pn2![b * H + j] = 2 * xw![xr + j]! + srz![b * 2 * H + j]! * hn2![b * H + j]!;
    }
  },
  ops({ srz, hn2, xw }, attrs) {
    const H = hn2!.shape[1]!;
    return [tf.add(tf.mul(stepCols(xw!, attrs['t'] as number, 2 * H, H), 2), tf.mul(cols(srz!, 0, H), hn2!))];
  },
};

/**
 * h = (1 - z) ⊙ n + z ⊙ h_{t-1} with z = zs[:, zOffset:], n = 2 ns[:, nOffset:] - 1; frozen on padded steps,
 * with a second output y that is zero there when a mask is given. -> [h] or [h, y].
 */
export const gruHidden: FusedKernel = {
  name: 'StrandGruHidden',
  outputShapes: (s) => (s['mask'] ? [[...s['hPrev']!], [...s['hPrev']!]] : [[...s['hPrev']!]]),
  js({ zs, ns, hPrev, mask }, outs, s, attrs) {
    const [B, H] = s['hPrev'] as [number, number];
    const zW = (s['zs'] as number[])[1]!;
    const nW = (s['ns'] as number[])[1]!;
    const T = s['mask']?.[1] ?? 1;
    const t = attrs['t'] as number;
    const zOff = attrs['zOffset'] as number;
    const nOff = attrs['nOffset'] as number;
    const h = outs[0]!;
    const y = outs[1];
    for (let b = 0; b < B; b++) {
      const isValid = mask === undefined || mask[b * T + t] !== 0;
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        const z = zs![b * zW + zOff + j]!;
        const n = 2 * ns![b * nW + nOff + j]! - 1;
        const v = n + z * (hPrev![i]! - n);
        if (y === undefined) h[i] = v;
        else {
          h[i] = isValid ? v : hPrev![i]!;
          y[i] = isValid ? v : 0;
        }
      }
    }
  },
  ops({ zs, ns, hPrev, mask }, attrs) {
    const H = hPrev!.shape[1]!;
    const z = cols(zs!, attrs['zOffset'] as number, H);
    const n = tf.sub(tf.mul(cols(ns!, attrs['nOffset'] as number, H), 2), 1);
    const v = tf.add(n, tf.mul(z, tf.sub(hPrev!, n)));
    const m = maskAt(mask, attrs['t'] as number);
    if (m === null) return [v];
    return [tf.add(tf.mul(v, m), tf.mul(hPrev!, tf.sub(1, m))), tf.mul(v, m)];
  },
};

/**
 * resetAfter backward. dm: gradient w.r.t. h_t on real steps (0 on padding), pass: the pass-through part.
 * Returns [dxw [batch, 3H] (w.r.t. x W + b), da [batch, 3H] (w.r.t. h U + b_h), pass + z ⊙ dm].
 */
export const gruBackward: FusedKernel = {
  name: 'StrandGruBackward',
  outputShapes: (s) => {
    const [B, H] = s['hPrev'] as [number, number];
    return [
      [B, 3 * H],
      [B, 3 * H],
      [B, H],
    ];
  },
  js({ dm, pass, srz, sn, hn2, hPrev }, [dxw, da, passOut], s) {
    const [B, H] = s['hPrev'] as [number, number];
    for (let b = 0; b < B; b++) {
      const r3 = b * 3 * H;
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        const r = srz![b * 2 * H + j]!;
        const z = srz![b * 2 * H + H + j]!;
        const n = 2 * sn![i]! - 1;
        const dh = dm![i]!;
        const dan = dh * (1 - z) * (1 - n * n);
        const dar = dan * 0.5 * hn2![i]! * r * (1 - r);
        const daz = dh * (hPrev![i]! - n) * z * (1 - z);
        dxw![r3 + j] = dar;
        dxw![r3 + H + j] = daz;
        dxw![r3 + 2 * H + j] = dan;
        da![r3 + j] = dar;
        da![r3 + H + j] = daz;
        da![r3 + 2 * H + j] = dan * r;
        passOut![i] = (pass === undefined ? 0 : pass[i]!) + dh * z;
      }
    }
  },
  ops({ dm, pass, srz, sn, hn2, hPrev }) {
    const H = hPrev!.shape[1]!;
    const r = cols(srz!, 0, H);
    const z = cols(srz!, H, H);
    const n = tf.sub(tf.mul(sn!, 2), 1);
    const dan = tf.mul(tf.mul(dm!, tf.sub(1, z)), tf.sub(1, tf.square(n)));
    const dar = tf.mul(tf.mul(dan, tf.mul(hn2!, 0.5)), tf.mul(r, tf.sub(1, r)));
    const daz = tf.mul(tf.mul(dm!, tf.sub(hPrev!, n)), tf.mul(z, tf.sub(1, z)));
    const direct = tf.mul(dm!, z);
    return [
      tf.concat([dar, daz, dan], 1),
      tf.concat([dar, daz, tf.mul(dan, r)], 1),
      pass ? tf.add(pass, direct) : direct,
    ];
  },
};

/**
 * resetBefore backward, part 1: [dan (w.r.t. pre_n), daz (w.r.t. pre_z), pass + z ⊙ dm], all [batch, H].
 */
export const gruBackwardN: FusedKernel = {
  name: 'StrandGruBackwardN',
  outputShapes: (s) => [[...s['hPrev']!], [...s['hPrev']!], [...s['hPrev']!]],
  js({ dm, pass, srz, sn, hPrev }, [dan, daz, passOut], s) {
    const [B, H] = s['hPrev'] as [number, number];
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        const z = srz![b * 2 * H + H + j]!;
        const n = 2 * sn![i]! - 1;
        const dh = dm![i]!;
        dan![i] = dh * (1 - z) * (1 - n * n);
        daz![i] = dh * (hPrev![i]! - n) * z * (1 - z);
        passOut![i] = (pass === undefined ? 0 : pass[i]!) + dh * z;
      }
    }
  },
  ops({ dm, pass, srz, sn, hPrev }) {
    const H = hPrev!.shape[1]!;
    const z = cols(srz!, H, H);
    const n = tf.sub(tf.mul(sn!, 2), 1);
    const direct = tf.mul(dm!, z);
    return [
      tf.mul(tf.mul(dm!, tf.sub(1, z)), tf.sub(1, tf.square(n))),
      tf.mul(tf.mul(dm!, tf.sub(hPrev!, n)), tf.mul(z, tf.sub(1, z))),
      pass ? tf.add(pass, direct) : direct,
    ];
  },
};

/**
 * resetBefore backward, part 2, from drh = dan · U_nᵀ (the gradient w.r.t. r ⊙ hr):
 * [drz [batch, 2H] (w.r.t. pre_r, pre_z), drh ⊙ r (w.r.t. hr, through the reset product)].
 */
export const gruBackwardR: FusedKernel = {
  name: 'StrandGruBackwardR',
  outputShapes: (s) => {
    const [B, H] = s['drh'] as [number, number];
    return [
      [B, 2 * H],
      [B, H],
    ];
  },
  js({ drh, srz, hr, daz }, [drz, dhr], s) {
    const [B, H] = s['drh'] as [number, number];
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        const r = srz![b * 2 * H + j]!;
        drz![b * 2 * H + j] = drh![i]! * hr![i]! * r * (1 - r);
        drz![b * 2 * H + H + j] = daz![i]!;
        dhr![i] = drh![i]! * r;
      }
    }
  },
  ops({ drh, srz, hr, daz }) {
    const H = drh!.shape[1]!;
    const r = cols(srz!, 0, H);
    return [tf.concat([tf.mul(tf.mul(drh!, hr!), tf.mul(r, tf.sub(1, r))), daz!], 1), tf.mul(drh!, r)];
  },
};

/** Minimal GRU backward (s = [σ(pre_z), σ(2 pre_n)]): [da [batch, 2H], pass + z ⊙ dm]. */
export const minGruBackward: FusedKernel = {
  name: 'StrandMinGruBackward',
  outputShapes: (s) => {
    const [B, H] = s['hPrev'] as [number, number];
    return [
      [B, 2 * H],
      [B, H],
    ];
  },
  js({ dm, pass, s: g2, hPrev }, [da, passOut], s) {
    const [B, H] = s['hPrev'] as [number, number];
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        const z = g2![b * 2 * H + j]!;
        const n = 2 * g2![b * 2 * H + H + j]! - 1;
        const dh = dm![i]!;
        da![b * 2 * H + j] = dh * (hPrev![i]! - n) * z * (1 - z);
        da![b * 2 * H + H + j] = dh * (1 - z) * (1 - n * n);
        passOut![i] = (pass === undefined ? 0 : pass[i]!) + dh * z;
      }
    }
  },
  ops({ dm, pass, s, hPrev }) {
    const H = hPrev!.shape[1]!;
    const z = cols(s!, 0, H);
    const n = tf.sub(tf.mul(cols(s!, H, H), 2), 1);
    const direct = tf.mul(dm!, z);
    return [
      tf.concat(
        [
          tf.mul(tf.mul(dm!, tf.sub(hPrev!, n)), tf.mul(z, tf.sub(1, z))),
          tf.mul(tf.mul(dm!, tf.sub(1, z)), tf.sub(1, tf.square(n))),
        ],
        1,
      ),
      pass ? tf.add(pass, direct) : direct,
    ];
  },
};
