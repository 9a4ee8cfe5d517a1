/**
 * PyTorch names and layouts for Strand's parameters, gradients and states, both ways.
 *
 * Parameters: Strand's kernels are PyTorch's matrices transposed ([in, out] vs [out, in]). An LSTM or
 * RNN has ONE Strand bias b where PyTorch has two, bias_ih and bias_hh, that only ever appear summed:
 * b = bias_ih + bias_hh (fromPyTorch sums them; toPyTorch writes b as bias_ih and zeros as bias_hh).
 * Gradients follow: ∂L/∂bias_ih = ∂L/∂bias_hh = ∂L/∂b, so each PyTorch bias gets a copy of the Strand
 * bias's gradient. A GRU keeps both (the n block of bias_hh sits inside the reset product): Strand's
 * `bias` is bias_ih and `recurrentBias` is bias_hh, one to one.
 *
 * States: PyTorch's h0/h_n and c0/c_n are [numLayers · numDirections, batch, size] with index
 * layer · numDirections + direction; Strand's state tree is {h, c} per cell, {forward, backward} per
 * bidirectional layer, and an array over stacked layers.
 */

import { ConfigError, ShapeError } from '@strand/base';
import { namedParameters, type Params } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Cell } from './cell.js';
import { pyLayers } from './interop-pytorch.js';
import type { Recurrent } from './recurrent.js';

/** One Strand parameter and the PyTorch state_dict entries it corresponds to. */
export interface PyTorchName {
  /** The Strand path, as `namedParameters(layer.params)` names it: 'inputKernel', '1.forward.bias'. */
  readonly path: string;
  /** The PyTorch names: one, or [bias_ih, bias_hh] for an LSTM or RNN bias. */
  readonly pytorch: readonly string[];
  /** True when the PyTorch tensor is the Strand tensor transposed (the kernels). */
  readonly transpose: boolean;
}

/** The cells of a PyTorch-shaped layer with their name suffixes (`_l1_reverse`), in state order. */
function pyCells(layer: Recurrent): { cell: Cell; suffix: string; index: number }[] {
  const out: { cell: Cell; suffix: string; index: number }[] = [];
  pyLayers(layer).forEach((l, k) => {
    if (l.kind === 'bidirectional') {
      out.push({ cell: l.forward, suffix: `_l${k}`, index: 2 * k });
      out.push({ cell: l.backward, suffix: `_l${k}_reverse`, index: 2 * k + 1 });
    } else out.push({ cell: l, suffix: `_l${k}`, index: k });
  });
  return out;
}

/**
 * Every parameter of a layer that PyTorch can hold (a cell, a bidirectional layer with merge 'concat',
 * or a stack of them), with its Strand path and PyTorch names, in namedParameters order.
 *
 * @example
 * for (const n of pyTorchNames(layer)) console.log(n.path, '<->', n.pytorch.join(' + '));
 * // inputKernel <-> weight_ih_l0;  bias <-> bias_ih_l0 + bias_hh_l0; ...
 */
export function pyTorchNames(layer: Recurrent): PyTorchName[] {
  const pathOf = new Map<tf.Variable, string>();
  for (const [path, v] of namedParameters(layer.params as Params)) pathOf.set(v, path);
  const names: PyTorchName[] = [];
  const add = (v: tf.Variable | null, pytorch: string[], transpose: boolean) => {
    if (v === null) return;
    const path = pathOf.get(v);
    if (path === undefined) throw new ConfigError('a cell parameter is missing from layer.params', 'layer');
    names.push({ path, pytorch, transpose });
  };
  for (const { cell, suffix } of pyCells(layer)) {
    const p = cell.params;
    add(p.inputKernel, [`weight_ih${suffix}`], true);
    add(p.recurrentKernel, [`weight_hh${suffix}`], true);
    if (cell.kind === 'gru') {
      add(p.bias, [`bias_ih${suffix}`], false);
      add(cell.params.recurrentBias, [`bias_hh${suffix}`], false);
    } else add(p.bias, [`bias_ih${suffix}`, `bias_hh${suffix}`], false);
    if (cell.kind === 'lstm') add(cell.params.projection, [`weight_hr${suffix}`], true);
  }
  const order = [...pathOf.values()];
  return names.sort((a, b) => order.indexOf(a.path) - order.indexOf(b.path));
}

type TensorMap = ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;

function get(map: TensorMap, key: string): tf.Tensor | undefined {
  return map instanceof Map ? map.get(key) : (map as Record<string, tf.Tensor>)[key];
}

/**
 * Gradients keyed by Strand path (e.g. from `tf.variableGrads` re-keyed with `namedParameters`) ->
 * gradients keyed by PyTorch name, in PyTorch's layouts: what `param.grad` holds in torch for the same
 * loss. Each of an LSTM's bias_ih and bias_hh gets the Strand bias gradient. The caller owns the tensors.
 */
export function gradientsToPyTorch(layer: Recurrent, grads: TensorMap): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const n of pyTorchNames(layer)) {
    const g = get(grads, n.path);
    if (g === undefined) continue;
    for (const name of n.pytorch) out[name] = n.transpose ? tf.transpose(g) : tf.clone(g);
  }
  return out;
}

/**
 * Gradients keyed by PyTorch name (`{name: param.grad}`) -> keyed by Strand path, in Strand's layouts.
 * An LSTM/RNN bias takes bias_ih's gradient (equal to bias_hh's). The caller owns the tensors.
 */
export function gradientsFromPyTorch(layer: Recurrent, grads: TensorMap): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const n of pyTorchNames(layer)) {
    const g = get(grads, n.pytorch[0]!);
    if (g === undefined) continue;
    out.set(n.path, n.transpose ? tf.transpose(g) : tf.clone(g));
  }
  return out;
}

/**
 * PyTorch's initial or final state -> Strand's state tree for `layer`: h [layers · dirs, batch, outputSize]
 * and, for an LSTM, c [layers · dirs, batch, hiddenSize]. The tree's tensors are new (the caller owns them).
 *
 * @example
 * const initialState = stateFromPyTorch(layer, h0, c0); // torch's (h0, c0)
 * const { outputs } = rnn(layer, x, { initialState });
 */
export function stateFromPyTorch(layer: Recurrent, h: tf.Tensor, c?: tf.Tensor): unknown {
  const cells = pyCells(layer);
  const lstm = cells[0]!.cell.kind === 'lstm';
  const n = cells.length;
  const B = h.rank === 3 ? h.shape[1]! : 0;
  if (h.rank !== 3 || h.shape[0] !== n || h.shape[2] !== cells[0]!.cell.outputSize)
    throw new ShapeError('PyTorch h', [n, null, cells[0]!.cell.outputSize], h.shape);
  if (lstm) {
    const units = (cells[0]!.cell as { config: { units: number } }).config.units;
    if (c === undefined) throw new ShapeError('PyTorch c (an LSTM needs h and c)', [n, B, units], []);
    if (c.rank !== 3 || c.shape[0] !== n || c.shape[1] !== B || c.shape[2] !== units)
      throw new ShapeError('PyTorch c', [n, B, units], c.shape);
  } else if (c !== undefined) throw new ConfigError('only an LSTM has a cell state c', 'c');
  const hs = tf.unstack(h) as tf.Tensor2D[];
  const cs = lstm ? (tf.unstack(c!) as tf.Tensor2D[]) : [];
  const at = (i: number) => (lstm ? { h: hs[i]!, c: cs[i]! } : { h: hs[i]! });
  const layers = pyLayers(layer).map((l, k) =>
    l.kind === 'bidirectional' ? { forward: at(2 * k), backward: at(2 * k + 1) } : at(k),
  );
  return layer.kind === 'stacked' ? layers : layers[0];
}

/** Strand's state tree for `layer` -> PyTorch's h (and c for an LSTM), [layers · dirs, batch, size]. */
export function stateToPyTorch(layer: Recurrent, state: unknown): { h: tf.Tensor3D; c?: tf.Tensor3D } {
  const layers = pyLayers(layer);
  const tree = layer.kind === 'stacked' ? state : [state];
  if (!Array.isArray(tree) || tree.length !== layers.length)
    throw new ShapeError(
      'state',
      `an array of ${layers.length} layer states`,
      Array.isArray(tree) ? [tree.length] : [],
    );
  const hs: tf.Tensor[] = [];
  const cs: tf.Tensor[] = [];
  const lstm = pyCells(layer)[0]!.cell.kind === 'lstm';
  const push = (s: unknown, what: string) => {
    const r = s as Record<string, unknown> | null;
    if (!(r?.['h'] instanceof tf.Tensor) || (lstm && !(r['c'] instanceof tf.Tensor)))
      throw new ShapeError(what, lstm ? 'a state {h, c}' : 'a state {h}', []);
    hs.push(r['h'] as tf.Tensor);
    if (lstm) cs.push(r['c'] as tf.Tensor);
  };
  layers.forEach((l, k) => {
    const s = tree[k] as Record<string, unknown>;
    if (l.kind === 'bidirectional') {
      push(s?.['forward'], `state.${k}.forward`);
      push(s?.['backward'], `state.${k}.backward`);
    } else push(s, `state.${k}`);
  });
  const h = tf.stack(hs) as tf.Tensor3D;
  return lstm ? { h, c: tf.stack(cs) as tf.Tensor3D } : { h };
}
