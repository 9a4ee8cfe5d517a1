/** Loads the JSON fixtures written by test/make_fixtures_optim.py (PyTorch 1.13). */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

export function fixture<T>(name: 'clip' | 'losses' | 'optimizers' | 'schedulers' | 'train'): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
}

export type Nested = number | Nested[];

/** All numbers of a nested array, in row-major order. */
export function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

/** A float32 tensor from nested arrays (shape inferred). */
export function tensorOf(values: Nested): tf.Tensor {
  return tf.tensor(values as number[]);
}
