import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Runs `fn` and asserts that the number of live tensors is the same afterwards,
 * once the tensors that `fn` returns (and the caller is meant to own) are disposed.
 */
export async function expectNoLeakedTensors<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const returned = new Set<tf.Tensor>();
  collectTensors(result, returned);
  const after = tf.memory().numTensors - countLive(returned);
  expect(after, `tensors leaked: ${after - before} (before ${before}, after ${after})`).toBe(before);
  return result;
}

function countLive(tensors: Set<tf.Tensor>): number {
  let n = 0;
  for (const t of tensors) if (!t.isDisposed) n++;
  return n;
}

function collectTensors(value: unknown, into: Set<tf.Tensor>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof tf.Tensor) {
    into.add(value);
    return;
  }
  const children = value instanceof Map || value instanceof Set ? [...value.values()] : Object.values(value);
  for (const v of children) collectTensors(v, into, seen);
}
