import { expectClose, maxAbsDiff } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { Cell } from '../src/cell.js';
import { gru } from '../src/gru.js';
import { lstm } from '../src/lstm.js';
import { simpleRNN } from '../src/simple-rnn.js';
import { gruRef, lstmRef, type Mat, type RefStep, refRun, simpleRnnRef, type Vec } from './reference.js';

/** The cell configurations every backend test runs (small: B ≤ 4, T ≤ 6, units ≤ 8). */
export const CELL_CASES: readonly [string, (seed: number) => Cell][] = [
  ['lstm', (seed) => lstm({ inputSize: 3, units: 4, seed, initScheme: 'pytorch' })],
  ['lstm projSize', (seed) => lstm({ inputSize: 3, units: 5, projSize: 3, seed, initScheme: 'pytorch' })],
  ['lstm no bias', (seed) => lstm({ inputSize: 3, units: 4, bias: false, seed })],
  ['gru resetAfter', (seed) => gru({ inputSize: 3, units: 4, seed, initScheme: 'pytorch' })],
  [
    'gru resetBefore',
    (seed) => gru({ inputSize: 3, units: 4, resetAfter: false, seed, initScheme: 'pytorch' }),
  ],
  ['gru minimal', (seed) => gru({ inputSize: 3, units: 4, minimal: true, seed, initScheme: 'pytorch' })],
  ['simpleRNN tanh', (seed) => simpleRNN({ inputSize: 3, units: 4, seed, initScheme: 'pytorch' })],
  [
    'simpleRNN relu leaky',
    (seed) =>
      simpleRNN({ inputSize: 3, units: 4, activation: 'relu', leak: 0.6, seed, initScheme: 'pytorch' }),
  ],
];

type Nested = number | readonly Nested[];

/** A tensor's values as nested arrays, read asynchronously (WebGPU in Node has no synchronous reads). */
export async function read(x: tf.Tensor | Nested): Promise<Nested> {
  return x instanceof tf.Tensor ? ((await x.array()) as Nested) : x;
}

/** expectClose for any backend: tensors are read asynchronously first; shapes must agree when both are tensors. */
export async function expectNear(
  actual: tf.Tensor | Nested,
  expected: tf.Tensor | Nested,
  atol = 1e-5,
  rtol = 0,
): Promise<void> {
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor)
    expect(actual.shape).toEqual(expected.shape);
  expectClose((await read(actual)) as number[], (await read(expected)) as number[], atol, rtol);
}

/** maxAbsDiff for any backend. */
export async function maxDiff(a: tf.Tensor | Nested, b: tf.Tensor | Nested): Promise<number> {
  return maxAbsDiff((await read(a)) as number[], (await read(b)) as number[]);
}

/** The float64 reference step for a cell's current weights. */
export async function refStepFor(cell: Cell): Promise<RefStep> {
  const p = cell.params;
  const G = p.inputKernel.shape[1]!;
  const [wx, wh, b] = await Promise.all([
    read(p.inputKernel),
    read(p.recurrentKernel),
    p.bias ? read(p.bias) : null,
  ]);
  const w = { wx: wx as Mat, wh: wh as Mat, b: (b as Vec | null) ?? new Array<number>(G).fill(0) };
  switch (cell.kind) {
    case 'lstm':
      return lstmRef(
        { ...w, ...(cell.params.projection ? { proj: (await read(cell.params.projection)) as Mat } : {}) },
        cell.config.units,
        {
          layerNorm: cell.config.layerNorm,
          ...(cell.params.peephole
            ? {
                peephole: {
                  i: (await read(cell.params.peephole.i)) as Vec,
                  f: (await read(cell.params.peephole.f)) as Vec,
                  o: (await read(cell.params.peephole.o)) as Vec,
                },
              }
            : {}),
        },
      );
    case 'gru': {
      const variant = cell.config.minimal ? 'minimal' : cell.config.resetAfter ? 'after' : 'before';
      const bh = cell.params.recurrentBias
        ? ((await read(cell.params.recurrentBias)) as Vec)
        : new Array<number>(G).fill(0);
      return gruRef({ ...w, bh }, cell.config.units, variant);
    }
    case 'simpleRNN':
      return simpleRnnRef(w, cell.config.activation, cell.config.leak);
  }
}

/** The reference over a batch: outputs [B][T][size] and final states [B][size]. */
export async function refBatch(
  cell: Cell,
  x: tf.Tensor3D,
  {
    lengths,
    reverse = false,
    h0,
    c0,
  }: { lengths?: readonly number[]; reverse?: boolean; h0?: Mat; c0?: Mat } = {},
): Promise<{ outputs: Mat[]; h: Mat; c: Mat }> {
  const step = await refStepFor(cell);
  const xs = (await x.array()) as Mat[];
  const T = x.shape[1];
  const hs: Mat = [];
  const cs: Mat = [];
  const outputs = xs.map((seq, b) => {
    const len = lengths?.[b] ?? T;
    const mask: Vec = Array.from({ length: T }, (_, t) => (t < len ? 1 : 0));
    const init = {
      h: h0?.[b] ?? new Array<number>(cell.outputSize).fill(0),
      c: c0?.[b] ?? new Array<number>(cell.kind === 'lstm' ? cell.config.units : 0).fill(0),
    };
    const r = refRun(step, seq, init, { mask, reverse });
    hs.push(r.final.h);
    cs.push(r.final.c ?? []);
    return r.outputs;
  });
  return { outputs, h: hs, c: cs };
}

/** Deterministic inputs in [-1, 1]. */
export function seqInput(B: number, T: number, F: number, seed = 1): tf.Tensor3D {
  const v = new Float32Array(B * T * F);
  let s = seed;
  for (let i = 0; i < v.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = (s / 2147483648) * 2 - 1;
  }
  return tf.tensor3d(v, [B, T, F]);
}

/** A loss that weights every output element differently, so no gradient cancels by symmetry. */
export function weightedSum(y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(y, tf.reshape(tf.linspace(-1, 1.5, y.size), y.shape))) as tf.Scalar);
}
