/**
 * The recurrent body every model here shares: a stack of LSTM, GRU or SimpleRNN layers from
 * `@strand/cells`, optionally bidirectional, with dropout and residual connections between layers.
 */
import { deriveSeed, oneOf, positiveInteger, rate } from '@strand/base';
import {
  bidirectional,
  type Cell,
  detachState,
  disposeState,
  gru,
  lstm,
  type Recurrent,
  rnn,
  type StateTree,
  simpleRNN,
  zeroCellState,
} from '@strand/cells';
import { dropout, type Params } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';

export type CellKind = 'lstm' | 'gru' | 'rnn';

/** The recurrent part of a model config (plain JSON). */
export type RecurrentConfig = {
  /** Default 'lstm'. */
  readonly cell?: CellKind;
  /** Hidden units per layer (per direction when bidirectional). */
  readonly units: number;
  /** Default 1. */
  readonly layers?: number;
  /** Dropout between layers when training. Default 0. */
  readonly dropout?: number;
  /** Residual connections from the second layer on. Default false. */
  readonly residual?: boolean;
  /** Each layer reads both directions (outputs concatenated). Default false. */
  readonly bidirectional?: boolean;
};

/**
 * A built stack: one recurrent layer (a cell, or a bidirectional pair) per level. The levels are run
 * here rather than by cells' `stacked`, so that dropout between levels uses the model's own seeds.
 */
export interface RecurrentStack {
  readonly layers: readonly Recurrent[];
  readonly params: readonly Params[];
  /** Size of each output step: units, or 2 * units when bidirectional. */
  readonly outputSize: number;
  readonly dropout: number;
  readonly residual: boolean;
}

/** The validated recurrent settings, defaults filled in. */
export function recurrentSettings(config: RecurrentConfig): Required<RecurrentConfig> {
  return {
    cell: oneOf(config.cell ?? 'lstm', ['lstm', 'gru', 'rnn'] as const, 'cell'),
    units: positiveInteger(config.units, 'units'),
    layers: positiveInteger(config.layers ?? 1, 'layers'),
    dropout: rate(config.dropout ?? 0, 'dropout'),
    residual: config.residual ?? false,
    bidirectional: config.bidirectional ?? false,
  };
}

function makeCell(kind: CellKind, inputSize: number, units: number, seed: number): Cell {
  if (kind === 'lstm') return lstm({ inputSize, units, seed });
  if (kind === 'gru') return gru({ inputSize, units, seed });
  return simpleRNN({ inputSize, units, seed });
}

/**
 * Builds `layers` recurrent layers reading `inputSize` features; each layer's weights are seeded by
 * deriveSeed(seed, 'layer', i[, 'forward' | 'backward']).
 */
export function recurrentStack(config: RecurrentConfig, inputSize: number, seed: number): RecurrentStack {
  const s = recurrentSettings(config);
  const width = s.bidirectional ? 2 * s.units : s.units;
  const layers: Recurrent[] = [];
  let size = positiveInteger(inputSize, 'inputSize');
  for (let i = 0; i < s.layers; i++) {
    layers.push(
      s.bidirectional
        ? bidirectional(
            makeCell(s.cell, size, s.units, deriveSeed(seed, 'layer', i, 'forward')),
            makeCell(s.cell, size, s.units, deriveSeed(seed, 'layer', i, 'backward')),
          )
        : makeCell(s.cell, size, s.units, deriveSeed(seed, 'layer', i)),
    );
    size = width;
  }
  return {
    layers,
    params: layers.map((l) => l.params as Params),
    outputSize: width,
    dropout: s.dropout,
    residual: s.residual,
  };
}

export interface RunStackOptions {
  readonly training: boolean;
  readonly seed?: number | undefined;
  readonly mask?: tf.Tensor2D | undefined;
  /** Return only each sequence's last valid output of the top layer ([B, H]). Default false. */
  readonly lastOnly?: boolean;
  /**
   * x is the first layer's input projection already ([B, T, gates * units], cells' `projectTokens`), not
   * its inputs. Needs a single (unidirectional) cell at the bottom. Default false.
   */
  readonly projected?: boolean;
}

/**
 * Runs the stack over x [B, T, in] from `state` (one entry per layer; undefined: zeros).
 * Dropout (when training) sits between layers; residual connections from the second layer on.
 * Returns outputs [B, T, H] (or [B, H] with lastOnly) and the final state, one entry per layer.
 */
export function runStack(
  stack: RecurrentStack,
  x: tf.Tensor3D,
  state: readonly unknown[] | undefined,
  o: RunStackOptions,
): { outputs: tf.Tensor; state: unknown[] } {
  const finals: unknown[] = [];
  let h: tf.Tensor3D = x;
  let last: tf.Tensor | null = null;
  stack.layers.forEach((layer, i) => {
    const top = i === stack.layers.length - 1;
    if (i > 0) {
      h = maybeDropout(
        h,
        stack.dropout,
        o.training,
        o.seed === undefined ? undefined : deriveSeed(o.seed, 'between', i),
      ) as tf.Tensor3D;
    }
    const r = rnn(layer, h, {
      ...(state === undefined ? {} : { initialState: state[i] as never }),
      returnState: true,
      training: o.training,
      ...(o.seed === undefined ? {} : { seed: deriveSeed(o.seed, 'layer', i) }),
      ...(o.mask === undefined ? {} : { mask: o.mask }),
      returnSequences: !(top && o.lastOnly),
      ...(i === 0 && o.projected ? { inputsProjected: true } : {}),
    });
    finals.push(r.state);
    if (top && o.lastOnly) last = r.outputs;
    else h = (stack.residual && i > 0 ? tf.add(r.outputs, h) : r.outputs) as tf.Tensor3D;
  });
  return { outputs: last ?? h, state: finals };
}

/** Dropout only when training with a positive rate (no clone otherwise). */
export function maybeDropout(
  x: tf.Tensor,
  rate: number,
  training: boolean,
  seed: number | undefined,
): tf.Tensor {
  if (!training || rate === 0) return x;
  return dropout(x, { rate, training, seed: seed ?? 0 });
}

/** The all-zero state of a stack for `batch` sequences (one entry per layer). */
export function zeroStackState(stack: RecurrentStack, batch: number): StateTree {
  return stack.layers.map((l) => {
    if (l.kind === 'bidirectional') {
      return {
        forward: zeroCellState(l.forward as Cell, batch),
        backward: zeroCellState(l.backward as Cell, batch),
      };
    }
    return zeroCellState(l as Cell, batch);
  }) as StateTree;
}

export { detachState, disposeState };

/** Every tensor of a state tree, in a stable order (what checkpoints store as `state.<i>`). */
export function stateLeaves(tree: unknown): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  const walk = (t: unknown): void => {
    if (t === null || t === undefined) return;
    if (t instanceof tf.Tensor) out.push(t);
    else if (Array.isArray(t)) for (const x of t) walk(x);
    else if (typeof t === 'object') for (const k of Object.keys(t)) walk((t as Record<string, unknown>)[k]);
  };
  walk(tree);
  return out;
}

/** `tree` with its leaves replaced, in `stateLeaves` order, by `f(leaf, i)`. */
export function mapStateLeaves<T>(tree: T, f: (t: tf.Tensor, i: number) => tf.Tensor): T {
  let i = 0;
  const walk = (t: unknown): unknown => {
    if (t === null || t === undefined) return t;
    if (t instanceof tf.Tensor) return f(t, i++);
    if (Array.isArray(t)) return t.map(walk);
    if (typeof t === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(t)) o[k] = walk((t as Record<string, unknown>)[k]);
      return o;
    }
    return t;
  };
  return walk(tree) as T;
}

/** `tree` with the rows flagged 1 in `resets` zeroed (every leaf is [batch, ...]); new tensors, the caller tidies. */
export function zeroStateRows<T>(tree: T, resets: Uint8Array): T {
  const keep = tf.tensor1d(
    Array.from(resets, (r) => 1 - r),
    'float32',
  );
  return mapStateLeaves(tree, (t) =>
    tf.mul(t, tf.reshape(keep, [resets.length, ...t.shape.slice(1).map(() => 1)])),
  );
}
