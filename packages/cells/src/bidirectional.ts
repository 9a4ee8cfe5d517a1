import { ConfigError, deriveSeed, type Params } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Recurrent, runLayer } from './layer.js';
import type { LayerRun, RunContext } from './run-cell.js';
import { oneOf } from './validate.js';

/** How the two directions' outputs combine at each step. */
export type MergeMode = 'concat' | 'sum' | 'average' | 'multiply';

/** Two layers over the same sequence, one forward and one backward in time, merged step by step. */
export interface Bidirectional<F extends Recurrent = Recurrent, B extends Recurrent = Recurrent> {
  readonly kind: 'bidirectional';
  readonly forward: F;
  readonly backward: B;
  readonly merge: MergeMode;
  readonly inputSize: number;
  /** 2 · the directions' size for 'concat', their (common) size otherwise. */
  readonly outputSize: number;
  readonly params: { readonly forward: Params; readonly backward: Params };
}

/**
 * A bidirectional layer (Schuster & Paliwal 1997). The backward layer reads the sequence from its end;
 * its outputs are re-aligned with the input's time axis before merging, and with a mask each direction
 * starts at its own end of the valid steps.
 *
 * @example
 * const bi = bidirectional(lstm({ inputSize: 8, units: 16, seed: 1 }), lstm({ inputSize: 8, units: 16, seed: 2 }));
 * const { outputs } = rnn(bi, x, { lengths }); // [batch, time, 32]
 */
export function bidirectional<F extends Recurrent, B extends Recurrent>(
  forward: F,
  backward: B,
  { merge = 'concat' }: { readonly merge?: MergeMode } = {},
): Bidirectional<F, B> {
  oneOf(merge, ['concat', 'sum', 'average', 'multiply'] as const, 'merge');
  if (forward.kind === 'bidirectional' || backward.kind === 'bidirectional') {
    throw new ConfigError('a direction of a bidirectional layer cannot itself be bidirectional', 'forward');
  }
  if (forward.inputSize !== backward.inputSize) {
    throw new ConfigError(
      `both directions need the same inputSize, received forward ${forward.inputSize} and backward ${backward.inputSize}`,
      'inputSize',
    );
  }
  if (merge !== 'concat' && forward.outputSize !== backward.outputSize) {
    throw new ConfigError(
      `merge '${merge}' needs equal output sizes, received forward ${forward.outputSize} and backward ${backward.outputSize}`,
      'merge',
    );
  }
  return {
    kind: 'bidirectional',
    forward,
    backward,
    merge,
    inputSize: forward.inputSize,
    outputSize: merge === 'concat' ? forward.outputSize + backward.outputSize : forward.outputSize,
    params: { forward: forward.params as Params, backward: backward.params as Params },
  };
}

function mergeTensors<T extends tf.Tensor>(mode: MergeMode, a: T, b: T): T {
  switch (mode) {
    case 'concat':
      return tf.concat([a, b], a.rank - 1);
    case 'sum':
      return tf.add(a, b);
    case 'average':
      return tf.mul(tf.add(a, b), 0.5);
    case 'multiply':
      return tf.mul(a, b);
  }
}

export function runBidirectional(
  layer: Bidirectional,
  x: tf.Tensor3D,
  initial: { forward?: unknown; backward?: unknown } | undefined,
  ctx: RunContext,
): LayerRun<{ forward: unknown; backward: unknown }> {
  if (ctx.reverse) {
    throw new ConfigError(
      'reverse has no meaning for a bidirectional layer (it already runs both ways)',
      'reverse',
    );
  }
  const seed = (label: string) => (ctx.seed === undefined ? undefined : deriveSeed(ctx.seed, label));
  const fw = runLayer(layer.forward, x, initial?.forward, { ...ctx, seed: seed('forward'), reverse: false });
  const bw = runLayer(layer.backward, x, initial?.backward, {
    ...ctx,
    seed: seed('backward'),
    reverse: true,
  });
  return {
    outputs: mergeTensors(layer.merge, fw.outputs, bw.outputs),
    final: ctx.needFinal ? { forward: fw.final, backward: bw.final } : null,
    last: fw.last && bw.last ? mergeTensors(layer.merge, fw.last, bw.last) : null,
  };
}
