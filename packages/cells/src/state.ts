import * as tf from '@tensorflow/tfjs-core';

/** Any tree of tensors: a cell state {h, c}, a bidirectional {forward, backward}, a stacked array. */
export type StateTree = tf.Tensor | readonly StateTree[] | { readonly [key: string]: StateTree };

function mapTree<T extends StateTree>(tree: T, f: (t: tf.Tensor) => tf.Tensor): T {
  if (tree instanceof tf.Tensor) return f(tree) as T;
  if (Array.isArray(tree)) return tree.map((t) => mapTree(t, f)) as unknown as T;
  const out: Record<string, StateTree> = {};
  for (const [k, v] of Object.entries(tree)) out[k] = mapTree(v as StateTree, f);
  return out as T;
}

/** Every tensor in a tree, in a stable order. */
export function stateTensors(tree: StateTree): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  mapTree(tree, (t) => {
    out.push(t);
    return t;
  });
  return out;
}

let stopGradientOp: ((x: tf.Tensor) => tf.Tensor) | null = null;

/** The identity in the forward pass; no gradient flows through it (tf.stop_gradient / Tensor.detach). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  stopGradientOp ??= tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return stopGradientOp(x) as T;
}

/**
 * A copy of a state that gradients do not flow through and that outlives the enclosing `tf.tidy` or
 * `optimizer.minimize`: what truncated BPTT carries from one chunk to the next. Dispose it with
 * `disposeState` once the next chunk has used it.
 *
 * @example
 * let state = undefined;
 * for (const chunk of chunks) {
 *   optimizer.minimize(() => {
 *     const { outputs, state: next } = rnn(cell, chunk.x, { initialState: state, returnState: true });
 *     const old = state;
 *     state = detachState(next);
 *     if (old) disposeState(old);
 *     return loss(outputs, chunk.y);
 *   });
 * }
 */
export function detachState<T extends StateTree>(state: T): T {
  return mapTree(state, (t) => tf.keep(stopGradient(t)));
}

/** Disposes every tensor of a state tree. */
export function disposeState(state: StateTree): void {
  for (const t of stateTensors(state)) t.dispose();
}
