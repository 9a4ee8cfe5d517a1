import { ConfigError, IdOutOfRangeError, ShapeError } from '@strand/base';
import { trainableParameters } from '@strand/core';
import { expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { CELL_CASES, expectNear, seqInput, weightedSum } from '../test/helpers.js';
import { bidirectional } from './bidirectional.js';
import type { Cell } from './cell.js';
import { foldInputProjection, lookupRows, projectedWidth, projectTokens } from './fold.js';
import { setFusedKernelMode } from './fused/kernel.js';
import { lstm } from './lstm.js';
import { type RnnOptions, rnn } from './rnn.js';

const V = 7;
const B = 3;
const T = 5;
const IDS = [0, 3, 6, 2, 2, 5, 1, 4, 0, 6, 3, 3, 1, 5, 2];

const OPTIONS: [string, RnnOptions][] = [
  ['plain', {}],
  ['lengths', { lengths: [5, 2, 0] }],
  ['reverse + lengths', { reverse: true, lengths: [3, 5, 1] }],
  ['truncate 2', { truncate: 2 }],
  ['recurrent dropout', { training: true, recurrentDropout: 0.3, seed: 5 }],
];

/** Loss and gradients (table, every weight, h0) through embed-then-project or through the folded table. */
function run(cell: Cell, table: tf.Variable<tf.Rank.R2>, opts: RnnOptions, folded: boolean) {
  const ids = tf.tensor1d(IDS, 'int32');
  const h0 = tf.variable(tf.mul(tf.reshape(seqInput(B, 1, cell.outputSize, 7), [B, cell.outputSize]), 0.5));
  const vars = [table, ...trainableParameters(cell.params as never), h0];
  const out = tf.variableGrads(() => {
    const init = cell.kind === 'lstm' ? { h: h0, c: tf.fill([B, cell.config.units], 0.3) } : { h: h0 };
    const x = folded
      ? tf.reshape(tf.gather(foldInputProjection(cell, table), ids), [B, T, projectedWidth(cell)])
      : tf.reshape(tf.gather(table, ids), [B, T, cell.inputSize]);
    const r = rnn(
      cell as never,
      x as tf.Tensor3D,
      {
        ...opts,
        inputsProjected: folded,
        returnState: true,
        initialState: init,
      } as never,
    ) as unknown as { outputs: tf.Tensor; state: { h: tf.Tensor } };
    return tf.add(weightedSum(r.outputs), tf.sum(tf.square(r.state.h))) as tf.Scalar;
  }, vars);
  const grads = vars.map((v) => out.grads[v.name]!);
  h0.dispose();
  ids.dispose();
  return { value: out.value, grads };
}

describe.each(testBackends())('folded input projection on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  describe.each(CELL_CASES)('%s', (_, make) => {
    test.each(OPTIONS)('%s: same loss and gradients as embed-then-project', async (_, opts) => {
      const cell = make(3);
      const table = tf.variable(
        tf.mul(tf.reshape(seqInput(1, V, cell.inputSize, 4), [V, cell.inputSize]), 0.8) as tf.Tensor2D,
      );
      const plain = run(cell, table, opts, false);
      const folded = run(cell, table, opts, true);
      await expectNear(folded.value, plain.value, 1e-5);
      expect(folded.grads.length).toBe(plain.grads.length);
      for (const [i, g] of folded.grads.entries()) await expectNear(g, plain.grads[i]!, 1e-5);
      // the gradient w.r.t. the table is not trivially zero (the check can fail)
      expect(Math.max(...((await tf.abs(plain.grads[0]!).data()) as Float32Array))).toBeGreaterThan(1e-4);
      tf.dispose([plain.value, folded.value, ...plain.grads, ...folded.grads, table]);
    });
  });

  test.each(['auto', 'ops'] as const)(
    'projectTokens (%s kernels) equals gather of the folded table, values and gradients',
    async (mode) => {
      setFusedKernelMode(mode);
      try {
        const cell = lstm({ inputSize: 3, units: 2, seed: 4, initScheme: 'pytorch' });
        const table = tf.variable(tf.mul(tf.reshape(seqInput(1, V, 3, 4), [V, 3]), 0.8) as tf.Tensor2D);
        const ids = tf.tensor2d(IDS, [B, T], 'int32');
        const vars = [table, cell.params.inputKernel, cell.params.bias!]; // what the lookup depends on
        const weights = tf.reshape(tf.linspace(-1, 2, B * T * 8), [B, T, 8]);
        const viaGather = tf.variableGrads(
          () =>
            tf.sum(
              tf.mul(
                tf.reshape(tf.gather(foldInputProjection(cell, table), tf.reshape(ids, [-1])), [B, T, 8]),
                weights,
              ),
            ) as tf.Scalar,
          vars,
        );
        const viaLookup = tf.variableGrads(
          () => tf.sum(tf.mul(projectTokens(cell, table, ids), weights)) as tf.Scalar,
          vars,
        );
        await expectNear(viaLookup.value, viaGather.value, 1e-4);
        for (const v of vars) await expectNear(viaLookup.grads[v.name]!, viaGather.grads[v.name]!, 1e-5);
        // ids 0..6 all appear, several twice: the table gradient sums repeated rows
        expect(
          Math.min(...((await tf.sum(tf.abs(viaLookup.grads[table.name]!), 1).data()) as Float32Array)),
        ).toBeGreaterThan(0);
        tf.dispose([
          table,
          ids,
          weights,
          viaGather.value,
          viaLookup.value,
          ...Object.values(viaGather.grads),
          ...Object.values(viaLookup.grads),
        ]);
      } finally {
        setFusedKernelMode('auto');
      }
    },
  );

  test('lookupRows rejects ids outside the table and non-int32 ids', (ctx) => {
    // The id check reads the ids back synchronously, which WebGPU in Node cannot do: there the
    // lookup is tf.gather without the check (documented in the README).
    if (tf.getBackend() === 'webgpu') ctx.skip();
    const table = tf.zeros([4, 2]) as tf.Tensor2D;
    const bad = tf.tensor2d([[0, 4]], [1, 2], 'int32');
    expect(() => lookupRows(table, bad)).toThrow(IdOutOfRangeError);
    const neg = tf.tensor2d([[-1, 0]], [1, 2], 'int32');
    expect(() => lookupRows(table, neg)).toThrow(IdOutOfRangeError);
    const flt = tf.tensor2d([[0, 1]], [1, 2]);
    expect(() => lookupRows(table, flt as tf.Tensor2D)).toThrow(ShapeError);
    tf.dispose([table, bad, neg, flt]);
  });

  test('the folded table is table · Wx + b', async () => {
    const cell = lstm({ inputSize: 3, units: 2, seed: 1, initScheme: 'pytorch' });
    const table = tf.tensor2d([1, 0, 0, 0, 2, -1], [2, 3]);
    const folded = foldInputProjection(cell, table);
    const w = (await cell.params.inputKernel.array()) as number[][];
    const b = (await cell.params.bias!.array()) as number[];
    const want = [0, 1].map((r) =>
      b.map(
        (bj, j) => bj + [1, 0, 0, 0, 2, -1].slice(3 * r, 3 * r + 3).reduce((s, v, k) => s + v * w[k]![j]!, 0),
      ),
    );
    await expectNear(folded, want, 1e-6);
    tf.dispose([table, folded]);
  });

  test('leaves no tensors behind', async () => {
    const cell = lstm({ inputSize: 3, units: 4, seed: 2 });
    const table = tf.randomNormal([V, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    await expectNoLeakedTensors(() =>
      tf
        .tidy(() => {
          const xw = tf.reshape(tf.gather(foldInputProjection(cell, table), tf.tensor1d(IDS, 'int32')), [
            B,
            T,
            16,
          ]);
          return tf.grad((x: tf.Tensor) =>
            tf.sum(rnn(cell, x as tf.Tensor3D, { inputsProjected: true }).outputs),
          )(xw);
        })
        .dispose(),
    );
    table.dispose();
  });

  test('bad uses are typed errors that say why', () => {
    const cell = lstm({ inputSize: 3, units: 4, seed: 2 });
    const x = tf.zeros([2, 3, 16]) as tf.Tensor3D;
    expect(() => rnn(cell, tf.zeros([2, 3, 3]) as tf.Tensor3D, { inputsProjected: true })).toThrow(
      ShapeError,
    );
    expect(() => rnn(cell, x, { inputsProjected: true, gradient: 'autodiff' })).toThrow(/autodiff/);
    expect(() => rnn(cell, x, { inputsProjected: true, training: true, inputDropout: 0.2, seed: 1 })).toThrow(
      ConfigError,
    );
    const peep = lstm({ inputSize: 3, units: 4, peephole: true, seed: 2 });
    expect(() => rnn(peep, x, { inputsProjected: true })).toThrow(/peephole/);
    const bi = bidirectional(
      lstm({ inputSize: 3, units: 4, seed: 2 }),
      lstm({ inputSize: 3, units: 4, seed: 3 }),
    );
    expect(() => rnn(bi, x, { inputsProjected: true })).toThrow(/single cell/);
    expect(() => foldInputProjection(cell, tf.zeros([5, 4]) as tf.Tensor2D)).toThrow(ShapeError);
    x.dispose();
  });
});
