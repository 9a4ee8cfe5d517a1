import * as tf from '@tensorflow/tfjs-core';
import { cols, type FusedKernel, maskAt } from './kernel.js';

// Gate activations `s` are [batch, 4H] = σ of the pre-activations, where the g block's pre-activation was
// doubled beforehand, so g = tanh(z_g) = 2 s_g - 1: one sigmoid op covers all four gates.

/**
 * c = f ⊙ c_{t-1} + i ⊙ g on real steps, c_{t-1} on padded ones; also returns 2c for the next sigmoid.
 * s: [batch, 4H], cPrev: [batch, H], mask?: [batch, time] -> [c, 2c].
 */
export const lstmCell: FusedKernel = {
  name: 'StrandLstmCell',
  outputShapes: (s) => [[...s['cPrev']!], [...s['cPrev']!]],
  js({ s: g4, cPrev, mask }, [c, twoC], s, a) {
    const [B, H] = s['cPrev'] as [number, number];
    const T = s['mask']?.[1] ?? 1;
    const t = a['t'] as number;
    for (let b = 0; b < B; b++) {
      const isValid = mask === undefined || mask[b * T + t] !== 0;
      const r = b * 4 * H;
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        const v = isValid
          ? g4![r + H + j]! * cPrev![i]! + g4![r + j]! * (2 * g4![r + 2 * H + j]! - 1)
          : cPrev![i]!;
        c![i] = v;
        twoC![i] = 2 * v;
      }
    }
  },
  ops({ s, cPrev, mask }, a) {
    const H = cPrev!.shape[1]!;
    let c: tf.Tensor = tf.add(
      tf.mul(cols(s!, H, H), cPrev!),
      tf.mul(cols(s!, 0, H), tf.sub(tf.mul(cols(s!, 2 * H, H), 2), 1)),
    );
    const m = maskAt(mask, a['t'] as number);
    if (m !== null) c = tf.add(tf.mul(c, m), tf.mul(cPrev!, tf.sub(1, m)));
    return [c, tf.mul(c, 2)];
  },
};

/**
 * h = o ⊙ tanh c with tanh c = 2 sc - 1 (sc = σ(2c)). With hPrev and mask: h frozen on padded steps and a
 * second output y that is zero there. s: [batch, 4H], sc: [batch, H] -> [h] or [h, y].
 */
export const lstmHidden: FusedKernel = {
  name: 'StrandLstmHidden',
  outputShapes: (s) => (s['mask'] ? [[...s['sc']!], [...s['sc']!]] : [[...s['sc']!]]),
  js({ s: g4, sc, hPrev, mask }, outs, s, a) {
    const [B, H] = s['sc'] as [number, number];
    const T = s['mask']?.[1] ?? 1;
    const t = a['t'] as number;
    const h = outs[0]!;
    const y = outs[1];
    for (let b = 0; b < B; b++) {
      const isValid = mask === undefined || mask[b * T + t] !== 0;
      const r = b * 4 * H + 3 * H;
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        const v = g4![r + j]! * (2 * sc![i]! - 1);
        if (y === undefined) h[i] = v;
        else {
          h[i] = isValid ? v : hPrev![i]!;
          y[i] = isValid ? v : 0;
        }
      }
    }
  },
  ops({ s, sc, hPrev, mask }, a) {
    const H = sc!.shape[1]!;
    const v = tf.mul(cols(s!, 3 * H, H), tf.sub(tf.mul(sc!, 2), 1));
    const m = maskAt(mask, a['t'] as number);
    if (m === null) return [v];
    return [tf.add(tf.mul(v, m), tf.mul(hPrev!, tf.sub(1, m))), tf.mul(v, m)];
  },
};

/**
 * Backward through one LSTM step. dm: gradient w.r.t. o ⊙ tanh c (zero on padded steps), dc: gradient
 * w.r.t. c_t. Returns [dz (w.r.t. the true, unscaled pre-activations, [batch, 4H]), dc_{t-1}].
 * On padded steps dz = 0 and dc passes through.
 */
export const lstmBackward: FusedKernel = {
  name: 'StrandLstmBackward',
  outputShapes: (s) => {
    const [B, H] = s['sc'] as [number, number];
    return [
      [B, 4 * H],
      [B, H],
    ];
  },
  js({ dm, dc, s: g4, sc, cPrev, mask }, [dz, dcPrev], s, a) {
    const [B, H] = s['sc'] as [number, number];
    const T = s['mask']?.[1] ?? 1;
    const t = a['t'] as number;
    for (let b = 0; b < B; b++) {
      const isValid = mask === undefined || mask[b * T + t] !== 0;
      const r = b * 4 * H;
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        const dcIn = dc === undefined ? 0 : dc[i]!;
        if (!isValid) {
          dz![r + j] = 0;
          dz![r + H + j] = 0;
          dz![r + 2 * H + j] = 0;
          dz![r + 3 * H + j] = 0;
          dcPrev![i] = dcIn;
          continue;
        }
        const ig = g4![r + j]!;
        const fg = g4![r + H + j]!;
        const g = 2 * g4![r + 2 * H + j]! - 1;
        const o = g4![r + 3 * H + j]!;
        const tc = 2 * sc![i]! - 1;
        const dmv = dm![i]!;
        const dcT = dcIn + dmv * o * (1 - tc * tc);
        dz![r + j] = dcT * g * ig * (1 - ig);
        dz![r + H + j] = dcT * cPrev![i]! * fg * (1 - fg);
        dz![r + 2 * H + j] = dcT * ig * (1 - g * g);
        dz![r + 3 * H + j] = dmv * tc * o * (1 - o);
        dcPrev![i] = dcT * fg;
      }
    }
  },
  ops({ dm, dc, s, sc, cPrev, mask }, a) {
    const H = sc!.shape[1]!;
    const ig = cols(s!, 0, H);
    const fg = cols(s!, H, H);
    const g = tf.sub(tf.mul(cols(s!, 2 * H, H), 2), 1);
    const o = cols(s!, 3 * H, H);
    const tc = tf.sub(tf.mul(sc!, 2), 1);
    const dcIn = dc ?? tf.zerosLike(sc!);
    const dcT = tf.add(dcIn, tf.mul(tf.mul(dm!, o), tf.sub(1, tf.square(tc))));
    const dsig = (v: tf.Tensor) => tf.mul(v, tf.sub(1, v));
    let dz: tf.Tensor = tf.concat(
      [
        tf.mul(tf.mul(dcT, g), dsig(ig)),
        tf.mul(tf.mul(dcT, cPrev!), dsig(fg)),
        tf.mul(tf.mul(dcT, ig), tf.sub(1, tf.square(g))),
        tf.mul(tf.mul(dm!, tc), dsig(o)),
      ],
      1,
    );
    let dcPrev: tf.Tensor = tf.mul(dcT, fg);
    const m = maskAt(mask, a['t'] as number);
    if (m !== null) {
      dz = tf.mul(dz, m);
      dcPrev = tf.add(tf.mul(dcPrev, m), tf.mul(dcIn, tf.sub(1, m)));
    }
    return [dz, dcPrev];
  },
};
