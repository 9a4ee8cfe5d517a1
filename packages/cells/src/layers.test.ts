// One way to write a layer: the module graph has no cycles, skip connections run through the one
// `scan`, the runner's opt-in finite check, rank-typed inputs, and fused kernels registered through
// @strand/backend.
import { readdirSync, readFileSync } from 'node:fs';
import {
  implementedKernels,
  isStrandKernel,
  registerStrandKernel,
  unregisterStrandKernel,
  useBackend,
} from '@strand/backend';
import { NonFiniteError } from '@strand/base';
import { disposeParameters, initLinear, linear } from '@strand/core';
import { expectClose, expectNoLeakedTensors, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { seqInput } from '../test/helpers.js';
import { bidirectional } from './bidirectional.js';
import { gru } from './gru.js';
import { lstm } from './lstm.js';
import { rnn } from './rnn.js';
import { simpleRNN } from './simple-rnn.js';
import { skipConnections } from './skip.js';

beforeAll(async () => {
  await useTestBackend('cpu');
});

/** Value (not type-only) imports between the package's own modules. */
function importGraph(): Map<string, string[]> {
  const dir = new URL('./', import.meta.url);
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const text = readFileSync(new URL(file, dir), 'utf8');
    const deps = [...text.matchAll(/^import (?!type )[^;]*? from '\.\/([\w-]+)\.js';/gms)].map(
      (m) => `${m[1]}.ts`,
    );
    graph.set(file, deps);
  }
  return graph;
}

describe('module structure', () => {
  test('no module imports another in a circle (layers reach their parts through `run`)', () => {
    const graph = importGraph();
    expect(graph.get('layer.ts')).toEqual([]);
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'visiting');
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
    for (const composite of ['bidirectional.ts', 'stacked.ts', 'skip.ts']) {
      for (const other of ['bidirectional.ts', 'stacked.ts', 'skip.ts', 'rnn.ts'])
        expect(graph.get(composite), `${composite} imports ${other}`).not.toContain(other);
    }
    expect(readFileSync(new URL('./skip.ts', import.meta.url), 'utf8')).not.toMatch(
      /for \(let (s|t) = 0; \1 < T/,
    );
  });
});

describe('skip connections run through scan', () => {
  test('padded steps leave the whole history unchanged: a padded run ends where the shorter run ends', async () => {
    const cell = lstm({ inputSize: 2, units: 3, seed: 4 });
    const layer = skipConnections(cell, { delay: 3 });
    const x = seqInput(1, 7, 2, 5);
    const short = tf.slice(x, [0, 0, 0], [1, 5, 2]) as tf.Tensor3D;
    const padded = rnn(layer, x, { lengths: [5], returnState: true });
    const plain = rnn(layer, short, { returnState: true });
    for (let i = 0; i < 3; i++) {
      expectClose(padded.state[i]!.h, plain.state[i]!.h, 1e-6);
      expectClose(padded.state[i]!.c, plain.state[i]!.c, 1e-6);
    }
    expectClose(tf.slice(padded.outputs, [0, 0, 0], [1, 5, 3]), plain.outputs, 1e-6);
    expectClose(tf.slice(padded.outputs, [0, 5, 0], [1, 2, 3]), tf.zeros([1, 2, 3]), 0);
    disposeParameters(cell.params);
  });

  test('continuing from a returned state equals one run over the whole sequence', () => {
    const cell = gru({ inputSize: 2, units: 3, seed: 2 });
    const layer = skipConnections(cell, { delay: 2, combine: 'sum' });
    const x = seqInput(2, 6, 2, 3);
    const whole = rnn(layer, x).outputs;
    const first = rnn(layer, tf.slice(x, [0, 0, 0], [2, 4, 2]) as tf.Tensor3D, { returnState: true });
    const rest = rnn(layer, tf.slice(x, [0, 4, 0], [2, 2, 2]) as tf.Tensor3D, { initialState: first.state });
    expectClose(tf.concat([first.outputs, rest.outputs], 1), whole, 1e-6);
    disposeParameters(cell.params);
  });

  test('reverse reads the sequence from its end, like reversing the input', () => {
    const cell = simpleRNN({ inputSize: 2, units: 3, seed: 1 });
    const layer = skipConnections(cell, { delay: 2 });
    const x = seqInput(1, 5, 2, 9);
    const rev = rnn(layer, x, { reverse: true }).outputs;
    const flipped = rnn(layer, tf.reverse(x, 1)).outputs;
    expectClose(rev, tf.reverse(flipped, 1), 1e-6);
    disposeParameters(cell.params);
  });

  test('no tensors leak', async () => {
    const cell = gru({ inputSize: 2, units: 3, seed: 2 });
    const x = seqInput(2, 4, 2);
    const r = await expectNoLeakedTensors(() =>
      rnn(skipConnections(cell, { delay: 5 }), x, { returnState: true, lengths: [4, 2] }),
    );
    tf.dispose([r.outputs, ...r.state.map((s) => s.h)]);
    x.dispose();
    disposeParameters(cell.params);
  });
});

describe('checkFinite', () => {
  const cell = lstm({ inputSize: 2, units: 3, seed: 1 });
  const nonFinite = (f: () => unknown): NonFiniteError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(NonFiniteError);
      return e as NonFiniteError;
    }
    throw new Error('expected a NonFiniteError');
  };

  test('names the inputs and the first time step with NaN or Inf', () => {
    const x = tf.tensor3d([0, 0, 1, 1, 2, Number.NaN, 3, Number.POSITIVE_INFINITY], [1, 4, 2]);
    const before = tf.memory().numTensors;
    const e = nonFinite(() => rnn(cell, x, { checkFinite: true }));
    expect(tf.memory().numTensors).toBe(before);
    expect([e.tensor, e.step, e.code]).toEqual(['inputs', 2, 'ERR_NON_FINITE']);
    expect(e.message).toMatch(
      /^inputs at step 2: expected finite numbers, received NaN or Inf at time step 2/,
    );
    // Without the check the NaN flows through silently.
    expect(Number.isNaN(rnn(cell, x).outputs.dataSync()[2 * 3 + 0])).toBe(true);
  });

  test('names the initial state entry', () => {
    const x = seqInput(1, 3, 2);
    const h = tf.zeros([1, 3]) as tf.Tensor2D;
    const c = tf.tensor2d([[0, Number.NaN, 0]]);
    const e = nonFinite(() => rnn(cell, x, { checkFinite: true, initialState: { h, c } }));
    expect([e.tensor, e.step]).toEqual(['initialState.c', -1]);
  });

  test('names outputs and the final state when a weight is NaN, through a bidirectional layer', () => {
    const fw = gru({ inputSize: 2, units: 2, seed: 2 });
    const bw = gru({ inputSize: 2, units: 2, seed: 3 });
    const nan = tf.tensor1d(new Array(6).fill(Number.NaN));
    bw.params.bias!.assign(nan);
    const x = seqInput(1, 3, 2);
    const e = nonFinite(() => rnn(bidirectional(fw, bw), x, { checkFinite: true }));
    expect([e.tensor, e.step]).toEqual(['outputs', 0]);
    tf.dispose([nan, x]);
    disposeParameters(fw.params);
    disposeParameters(bw.params);
  });

  test('finite runs pass and return the same numbers', () => {
    const x = seqInput(2, 3, 2);
    expectClose(rnn(cell, x, { checkFinite: true }).outputs, rnn(cell, x).outputs, 0);
  });
});

describe('rank-typed inputs', () => {
  test('linear on a Tensor3D returns a Tensor3D that rnn takes without a cast', () => {
    const proj = initLinear({ inputSize: 4, outputSize: 2, seed: 0 });
    const x: tf.Tensor3D = seqInput(2, 3, 4);
    const h: tf.Tensor3D = linear(proj, x); // compile-time: no `as tf.Tensor3D`
    const cell = gru({ inputSize: 2, units: 3, seed: 1 });
    expect(rnn(cell, h).outputs.shape).toEqual([2, 3, 3]);
    disposeParameters(cell.params);
    disposeParameters(proj);
  });
});

describe('fused kernels register through @strand/backend', () => {
  test('after a fused run on cpu and wasm, the kernels are Strand-registered real kernels', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const cell = lstm({ inputSize: 2, units: 3, seed: 1 });
      const x = seqInput(1, 3, 2);
      tf.grad((xx: tf.Tensor) => tf.sum(rnn(cell, xx as tf.Tensor3D, { gradient: 'fused' }).outputs))(x);
      expect(isStrandKernel('StrandLstmCell', backend)).toBe(true);
      expect(tf.getKernel('StrandLstmCell', backend)).toBeDefined();
      disposeParameters(cell.params);
    }
    await useBackend('cpu');
  });

  test('registerStrandKernel is idempotent, replaces only its own kernels or stubs, and never a real tfjs kernel', () => {
    const config = { kernelName: 'StrandTestKernel', backendName: 'cpu', kernelFunc: () => [] as never };
    registerStrandKernel(config);
    registerStrandKernel(config); // no "already registered" warning or error
    expect(isStrandKernel('StrandTestKernel', 'cpu')).toBe(true);
    expect(() => registerStrandKernel({ ...config, kernelName: 'Add' })).toThrow(
      /already registered on 'cpu' outside @strand\/backend/,
    );
    expect(tf.getKernel('Add', 'cpu')).toBeDefined();
    expect(unregisterStrandKernel('Add', 'cpu')).toBe(false); // not ours: untouched
    expect(implementedKernels('cpu')).toContain('Add');
    expect(unregisterStrandKernel('StrandTestKernel', 'cpu')).toBe(true);
    expect(tf.getKernel('StrandTestKernel', 'cpu')).toBeUndefined();
    expect(unregisterStrandKernel('StrandTestKernel', 'cpu')).toBe(false);
  });
});
