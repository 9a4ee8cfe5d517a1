import { ConfigError, IdOutOfRangeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';

/** Ids as a tensor (int32) or as plain numbers (a flat array or nested arrays). */
export type Ids = tf.Tensor | ArrayLike<number> | readonly (readonly number[])[];

/** Flat values and shape of ids; throws IdOutOfRangeError for the first id outside [0, size). */
export function checkedIds(ids: Ids, size: number, what: string): { values: Int32Array; shape: number[] } {
  let raw: ArrayLike<number>;
  let shape: number[];
  if (ids instanceof tf.Tensor) {
    if (ids.dtype !== 'int32' && ids.dtype !== 'float32') {
      throw new ConfigError(
        `${what}: ids must be an int32 (or integer-valued float32) tensor, received ${ids.dtype}`,
        'ids',
      );
    }
    raw = ids.dataSync() as ArrayLike<number>;
    shape = [...ids.shape];
  } else {
    const t = Array.isArray(ids) && Array.isArray(ids[0]) ? (ids as number[][]) : null;
    shape = t ? [t.length, t[0]!.length] : [ids.length];
    if (t?.some((row) => row.length !== shape[1])) {
      throw new ConfigError(`${what}: nested id arrays must be rectangular`, 'ids');
    }
    raw = t ? t.flat() : (ids as ArrayLike<number>);
  }
  const values = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const id = raw[i]!;
    if (!(Number.isInteger(id) && id >= 0 && id < size))
      throw new IdOutOfRangeError(id, i, size, `${what}: id`);
    values[i] = id;
  }
  return { values, shape };
}

/**
 * One-hot vectors: ids [...] -> float32 [..., depth], with 1 at each id.
 *
 * @example
 * oneHot([0, 2], 3); // [[1, 0, 0], [0, 0, 1]]
 * @throws IdOutOfRangeError naming the first id outside [0, depth) and its position.
 */
export function oneHot(ids: Ids, depth: number): tf.Tensor {
  if (!Number.isInteger(depth) || depth < 1) {
    throw new ConfigError(`depth must be a positive integer, received ${depth}`, 'depth');
  }
  const { values, shape } = checkedIds(ids, depth, 'oneHot');
  const out = new Float32Array(values.length * depth);
  for (let i = 0; i < values.length; i++) out[i * depth + values[i]!] = 1;
  return tf.tensor(out, [...shape, depth], 'float32');
}
