import { Rng } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';

/** Deterministic inputs made in JavaScript (base's seeded Rng), so every backend sees the same numbers. */
export function seededValues(size: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * scale;
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
