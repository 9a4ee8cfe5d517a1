import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './errors.js';

/**
 * A model's parameters: a tree of plain objects and arrays whose leaves are variables.
 * `null` marks an absent parameter (a layer built without a bias) and is skipped.
 * Paths are the checkpoint keys: `encoder.layers.0.cell.kernel`.
 *
 * Declare a layer's parameter record with `type`, not `interface`: TypeScript gives type aliases,
 * but not interfaces, the implicit index signature that makes them assignable to `Params`.
 *
 * @example
 * type MlpParams = { readonly hidden: LinearParams; readonly out: LinearParams };
 */
export type Params = tf.Variable | null | readonly Params[] | { readonly [name: string]: Params };

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

function walk(tree: unknown, path: string, out: Map<string, tf.Variable>, seen: Set<tf.Variable>): void {
  if (tree === null) return;
  if (tree instanceof tf.Variable) {
    if (seen.has(tree)) return; // tied weights: the first path owns the variable (as PyTorch's named_parameters)
    if (out.has(path)) throw new ConfigError(`two parameters share the path '${path}'`, path);
    seen.add(tree);
    out.set(path, tree);
    return;
  }
  if (tree instanceof tf.Tensor) {
    throw new ConfigError(
      `parameter '${path}' is a tf.Tensor; parameters must be tf.Variable (use createParameter or tf.variable)`,
      path,
    );
  }
  if (Array.isArray(tree)) {
    for (let i = 0; i < tree.length; i++) walk(tree[i], join(path, String(i)), out, seen);
    return;
  }
  if (typeof tree === 'object' && Object.getPrototypeOf(tree) === Object.prototype) {
    for (const key of Object.keys(tree)) {
      if (key === '') throw new ConfigError(`empty key under '${path}'`, path);
      walk((tree as Record<string, unknown>)[key], join(path, key), out, seen);
    }
    return;
  }
  const kind = typeof tree === 'object' ? (tree.constructor?.name ?? 'object') : typeof tree;
  throw new ConfigError(
    `parameter tree holds a ${kind} at '${path || '(root)'}'; expected a tf.Variable, null, an array or a plain object`,
    path,
  );
}

/**
 * Path -> variable in a stable order: object keys in insertion order, arrays by index, nulls skipped.
 * A variable that appears twice (tied weights) is listed once, under its first path.
 *
 * @example
 * namedParameters({ encoder: { layers: [{ kernel, bias: null }] } });
 * // Map { 'encoder.layers.0.kernel' => kernel }
 * namedParameters(linearParams, 'head'); // Map { 'head.kernel' => ..., 'head.bias' => ... }
 */
export function namedParameters(tree: Params, prefix = ''): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  walk(tree, prefix, out, new Set());
  return out;
}

/** The trainable variables (`variable.trainable === true`), in `namedParameters` order: an optimizer's varList. */
export function trainableParameters(tree: Params): tf.Variable[] {
  return [...namedParameters(tree).values()].filter((v) => v.trainable);
}

/** Disposes every variable in the tree (each once, even when tied). */
export function disposeParameters(tree: Params): void {
  for (const v of namedParameters(tree).values()) v.dispose();
}
