import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Params } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';

const here = dirname(fileURLToPath(import.meta.url));

export interface JsonTensor {
  readonly shape: number[];
  readonly data: number[];
}

/** A fixture written by test/make_fixtures.py. */
export interface Fixture {
  readonly torch: string;
  readonly config: Record<string, number | boolean | string>;
  readonly stateDict: Record<string, JsonTensor>;
  readonly inputs: Record<string, JsonTensor>;
  readonly output: JsonTensor;
  readonly r: JsonTensor;
  readonly inputGrads: Record<string, JsonTensor>;
  readonly paramGrads: Record<string, JsonTensor>;
  readonly [mask: string]: unknown;
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(here, 'fixtures', `${name}.json`), 'utf8')) as Fixture;
}

export function tensor(j: JsonTensor, dtype: 'float32' | 'bool' = 'float32'): tf.Tensor {
  return tf.tensor(dtype === 'bool' ? j.data.map((v) => v !== 0) : j.data, j.shape, dtype);
}

/** The same tree with every variable replaced by `fn(variable)` (e.g. its gradient). */
export function mapLeaves<T extends Params>(tree: T, fn: (v: tf.Variable) => tf.Tensor): T {
  if (tree === null) return tree;
  if (tree instanceof tf.Variable) return fn(tree) as unknown as T;
  if (Array.isArray(tree)) return tree.map((t) => mapLeaves(t as Params, fn)) as unknown as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree)) out[k] = mapLeaves(v as Params, fn);
  return out as T;
}

/** Deterministic pseudo-random ids in [0, vocab). */
export function ids(batch: number, time: number, vocab: number, seed = 1): tf.Tensor2D {
  const out = new Int32Array(batch * time);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s % vocab;
  }
  return tf.tensor2d(out, [batch, time], 'int32');
}
