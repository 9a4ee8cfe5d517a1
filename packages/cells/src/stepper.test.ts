import { IdOutOfRangeError, ShapeError } from '@strand/base';
import { testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CELL_CASES, expectNear, seqInput } from '../test/helpers.js';
import type { Cell } from './cell.js';
import { setFusedKernelMode } from './fused/kernel.js';
import { gru } from './gru.js';
import { lstm } from './lstm.js';
import { rnn } from './rnn.js';
import { stepper } from './stepper.js';

const V = 6;
const TOKENS = [2, 5, 0, 3, 3, 1];

/** What rnn gives for the whole token sequence at once: [T, outputSize] and the final state. */
function reference(cell: Cell, table: tf.Tensor2D) {
  return tf.tidy(() => {
    const x = tf.reshape(tf.gather(table, TOKENS), [1, TOKENS.length, cell.inputSize]) as tf.Tensor3D;
    const r = rnn(cell as never, x, { returnState: true }) as unknown as {
      outputs: tf.Tensor3D;
      state: Record<string, tf.Tensor>;
    };
    return { outputs: tf.squeeze(r.outputs, [0]), state: r.state };
  });
}

const FAST: Record<string, boolean> = {
  lstm: true,
  'lstm projSize': false,
  'lstm no bias': true,
  'gru resetAfter': true,
  'gru resetBefore': false,
  'gru minimal': true,
  'simpleRNN tanh': true,
  'simpleRNN relu leaky': true,
};

describe.each(testBackends())('stepper on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });
  afterEach(() => setFusedKernelMode('auto'));

  describe.each(CELL_CASES)('%s', (name, make) => {
    test.each(['auto', 'ops'] as const)(
      'token by token (%s kernels) equals rnn over the sequence, allocating nothing that stays',
      async (mode) => {
        setFusedKernelMode(mode);
        const cell = make(4);
        const table = tf.mul(
          tf.reshape(seqInput(1, V, cell.inputSize, 9), [V, cell.inputSize]),
          1.5,
        ) as tf.Tensor2D;
        const ref = reference(cell, table);
        const s = stepper(cell, { table });
        expect(s.fast).toBe(FAST[name]);
        const before = tf.memory().numTensors;
        const hs: tf.Tensor[] = [];
        for (const [i, token] of TOKENS.entries()) {
          hs.push(tf.clone(s.step(token)));
          expect(tf.memory().numTensors).toBe(before + i + 1); // only the clones kept here
        }
        await expectNear(tf.concat(hs, 0), ref.outputs, 1e-5);
        for (const [k, v] of Object.entries(ref.state))
          await expectNear((s.state as unknown as Record<string, tf.Tensor>)[k]!, v, 1e-5);
        // tensor inputs give the same numbers as token ids
        s.reset();
        let h: tf.Tensor = tf.zeros([1, 1]);
        for (const token of TOKENS) {
          const x = tf.gather(table, [token]) as tf.Tensor2D;
          h = s.step(x);
          x.dispose();
        }
        await expectNear(h, tf.slice(ref.outputs, [TOKENS.length - 1, 0], [1, -1]), 1e-5);
        s.dispose();
        tf.dispose([table, ref.outputs, ...Object.values(ref.state), ...hs]);
      },
    );
  });

  test('a batch of tensor inputs from a given state, without a table', async () => {
    const cell = gru({ inputSize: 3, units: 5, seed: 2, initScheme: 'pytorch' });
    const x = seqInput(2, 3, 3, 5);
    const h0 = tf.fill([2, 5], 0.2) as tf.Tensor2D;
    const want = rnn(cell, x, { initialState: { h: h0 } }).outputs;
    const s = stepper(cell, { initialState: { h: h0 } });
    const steps: tf.Tensor[] = [];
    for (let t = 0; t < 3; t++) {
      const xt = tf.reshape(tf.slice(x, [0, t, 0], [2, 1, 3]), [2, 3]) as tf.Tensor2D;
      steps.push(tf.clone(s.step(xt)));
      xt.dispose();
    }
    await expectNear(tf.stack(steps, 1), want, 1e-5);
    s.dispose();
    expect(h0.isDisposed).toBe(false); // the stepper copied the initial state
    tf.dispose([x, h0, want, ...steps]);
  });

  test('steps inside a tf.tidy keep the state (the tidy frees only what it made)', async () => {
    const cell = lstm({ inputSize: 3, units: 4, seed: 1, initScheme: 'pytorch' });
    const table = tf.mul(tf.reshape(seqInput(1, V, 3, 9), [V, 3]), 1.5) as tf.Tensor2D;
    const ref = reference(cell, table);
    let s = stepper(cell);
    s.dispose();
    tf.tidy(() => {
      s = stepper(cell, { table });
    });
    const before = tf.memory().numTensors;
    for (const token of TOKENS)
      tf.tidy(() => {
        tf.sum(s.step(token));
      });
    expect(tf.memory().numTensors).toBe(before);
    await expectNear(s.state.h, tf.slice(ref.outputs, [TOKENS.length - 1, 0], [1, -1]), 1e-5);
    s.dispose();
    tf.dispose([table, ref.outputs, ...Object.values(ref.state)]);
  });

  test('bad inputs are typed errors', () => {
    const cell = lstm({ inputSize: 3, units: 4, seed: 1 });
    const table = tf.zeros([V, 3]) as tf.Tensor2D;
    const s = stepper(cell, { table });
    expect(() => s.step(V)).toThrow(IdOutOfRangeError);
    expect(() => s.step(1.5)).toThrow(IdOutOfRangeError);
    expect(() => s.step(tf.zeros([1, 4]) as tf.Tensor2D)).toThrow(ShapeError);
    expect(() => stepper(cell).step(0)).toThrow(/options.table/);
    expect(() => stepper(cell, { table: tf.zeros([V, 4]) as tf.Tensor2D })).toThrow(ShapeError);
    s.dispose();
    table.dispose();
  });
});
