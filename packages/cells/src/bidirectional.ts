import { ConfigError, deriveSeed, oneOf, ShapeError } from '@strand/base';
import type { Params } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Layer, LayerRun, RunContext } from './layer.js';
import { checkPartState, type Part, runPart } from './run-cell.js';

/** How the two directions' outputs combine at each step. */
export type MergeMode = 'concat' | 'sum' | 'average' | 'multiply';

/** Two layers over the same sequence, one forward and one backward in time, merged step by step. */
export interface Bidirectional<F extends Part = Part, B extends Part = Part>
  extends Layer<{ forward: unknown; backward: unknown }> {
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
export function bidirectional<F extends Part, B extends Part>(
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
    run: runBidirectional,
    checkState: checkBidirectionalState,
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

function runBidirectional(
  this: Bidirectional,
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
  const fw = runPart(this.forward, x, initial?.forward, { ...ctx, seed: seed('forward'), reverse: false });
  const bw = runPart(this.backward, x, initial?.backward, { ...ctx, seed: seed('backward'), reverse: true });
  return {
    outputs: mergeTensors(this.merge, fw.outputs, bw.outputs),
    final: ctx.needFinal ? { forward: fw.final, backward: bw.final } : null,
    last: fw.last && bw.last ? mergeTensors(this.merge, fw.last, bw.last) : null,
  };
}

function checkBidirectionalState(this: Bidirectional, state: unknown, batch: number, what: string): void {
  if (state === null || typeof state !== 'object' || state instanceof tf.Tensor || Array.isArray(state))
    throw new ShapeError(what, 'a record {forward, backward}', []);
  const s = state as Record<string, unknown>;
  checkPartState(this.forward, s['forward'], batch, `${what}.forward`);
  checkPartState(this.backward, s['backward'], batch, `${what}.backward`);
}
