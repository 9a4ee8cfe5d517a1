import * as tf from '@tensorflow/tfjs-core';
import { type FusedKernel, maskAt } from './kernel.js';

// `f` is the saved activation source: σ(2a) for tanh (tanh a = 2σ(2a) - 1), the pre-activation a for ReLU.

/**
 * h = (1 - leak) h_{t-1} + leak · act(a); frozen on padded steps, with y = 0 there when a mask is given.
 * attrs: t, relu (0/1), leak. -> [h] or [h, y].
 */
export const rnnHidden: FusedKernel = {
  name: 'StrandRnnHidden',
  outputShapes: (s) => (s['mask'] ? [[...s['hPrev']!], [...s['hPrev']!]] : [[...s['hPrev']!]]),
  js({ f, hPrev, mask }, outs, s, attrs) {
    const [B, H] = s['hPrev'] as [number, number];
    const T = s['mask']?.[1] ?? 1;
    const t = attrs['t'] as number;
    const relu = attrs['relu'] === 1;
    const leak = attrs['leak'] as number;
    const h = outs[0]!;
    const y = outs[1];
    for (let b = 0; b < B; b++) {
      const isValid = mask === undefined || mask[b * T + t] !== 0;
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        const a = f![i]!;
        const act = relu ? Math.max(a, 0) : 2 * a - 1;
        const v = leak === 1 ? act : (1 - leak) * hPrev![i]! + leak * act;
        if (y === undefined) h[i] = v;
        else {
          h[i] = isValid ? v : hPrev![i]!;
          y[i] = isValid ? v : 0;
        }
      }
    }
  },
  ops({ f, hPrev, mask }, attrs) {
    const leak = attrs['leak'] as number;
    const act = attrs['relu'] === 1 ? tf.relu(f!) : tf.sub(tf.mul(f!, 2), 1);
    const v = leak === 1 ? act : tf.add(tf.mul(hPrev!, 1 - leak), tf.mul(act, leak));
    const m = maskAt(mask, attrs['t'] as number);
    if (m === null) return [v];
    return [tf.add(tf.mul(v, m), tf.mul(hPrev!, tf.sub(1, m))), tf.mul(v, m)];
  },
};

/** Backward: [da = leak · dm · act'(a), pass + (1 - leak) dm]. attrs: relu, leak. */
export const rnnBackward: FusedKernel = {
  name: 'StrandRnnBackward',
  outputShapes: (s) => [[...s['f']!], [...s['f']!]],
  js({ dm, pass, f }, [da, passOut], s, attrs) {
    const n = (s['f'] as number[])[0]! * (s['f'] as number[])[1]!;
    const relu = attrs['relu'] === 1;
    const leak = attrs['leak'] as number;
    for (let i = 0; i < n; i++) {
      const a = f![i]!;
      const v = 2 * a - 1;
      const d = relu ? (a > 0 ? 1 : 0) : 1 - v * v;
      const dh = dm![i]!;
      da![i] = leak * dh * d;
      passOut![i] = (pass === undefined ? 0 : pass[i]!) + (1 - leak) * dh;
    }
  },
  ops({ dm, pass, f }, attrs) {
    const leak = attrs['leak'] as number;
    const d = attrs['relu'] === 1 ? tf.step(f!) : tf.sub(1, tf.square(tf.sub(tf.mul(f!, 2), 1)));
    const direct = tf.mul(dm!, 1 - leak);
    return [tf.mul(tf.mul(dm!, d), leak), pass ? tf.add(pass, direct) : direct];
  },
};
