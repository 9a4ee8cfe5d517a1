import * as tf from '@tensorflow/tfjs-core';

/** Deterministic inputs made in JavaScript (mulberry32), so every backend sees the same numbers. */
export function seededValues(size: number, seed: number, scale = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

export function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
      scale,
    ),
    shape,
  );
}

export function seededInts(size: number, seed: number, max: number): tf.Tensor1D {
  const v = seededValues(size, seed);
  return tf.tensor1d(
    Array.from(v, (x) => Math.floor(((x + 1) / 2) * max) % max),
    'int32',
  );
}
