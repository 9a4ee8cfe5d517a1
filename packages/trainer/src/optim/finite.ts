/**
 * The NaN/Inf guard: one device read for all gradients. Each tensor is reduced to
 * `sum(g * 0)`, which is 0 when every element is finite and NaN otherwise (Inf * 0 = NaN),
 * so the check costs one multiply-and-sum per tensor and one read of a [count] vector.
 */
import { NonFiniteError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';

export interface FiniteCheck {
  readonly finite: boolean;
  /** The first (in map order) gradient with a NaN or Inf, when there is one. */
  readonly badPath?: string;
  /** The step that was checked, echoed for messages. */
  readonly step: number;
}

function probe(grads: ReadonlyMap<string, tf.Tensor>): tf.Tensor1D {
  return tf.tidy(
    () => tf.stack([...grads.values()].map((g) => tf.sum(tf.mul(g, tf.scalar(0, g.dtype))))) as tf.Tensor1D,
  );
}

function verdict(
  grads: ReadonlyMap<string, tf.Tensor>,
  values: ArrayLike<number>,
  step: number,
): FiniteCheck {
  let i = 0;
  for (const key of grads.keys()) {
    if (!Number.isFinite(values[i++]!)) return { finite: false, badPath: key, step };
  }
  return { finite: true, step };
}

/** Whether every gradient is finite; `badPath` names the first that is not. */
export function checkFiniteGrads(grads: ReadonlyMap<string, tf.Tensor>, step: number): FiniteCheck {
  if (grads.size === 0) return { finite: true, step };
  const t = probe(grads);
  const values = t.dataSync();
  t.dispose();
  return verdict(grads, values, step);
}

/** checkFiniteGrads reading asynchronously (for backends without synchronous reads, e.g. WebGPU). */
export async function checkFiniteGradsAsync(
  grads: ReadonlyMap<string, tf.Tensor>,
  step: number,
): Promise<FiniteCheck> {
  if (grads.size === 0) return { finite: true, step };
  const t = probe(grads);
  const values = await t.data();
  t.dispose();
  return verdict(grads, values, step);
}

/** Throws NonFiniteError naming the gradient and step when a check failed. */
export function assertFinite(check: FiniteCheck): void {
  if (!check.finite) throw new NonFiniteError(`gradient '${check.badPath}'`, 'NaN or Infinity', check.step);
}
