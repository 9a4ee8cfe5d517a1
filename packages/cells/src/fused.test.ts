import { trainableParameters } from '@strand/core';
import {
  expectClose,
  expectNoLeakedTensors,
  numericGradient,
  testBackends,
  useTestBackend,
} from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CELL_CASES, expectNear, maxDiff, refBatch, seqInput, weightedSum } from '../test/helpers.js';
import type { Cell } from './cell.js';
import { setFusedKernelMode } from './fused/kernel.js';
import { gradientNormsThroughTime } from './gradient-norms.js';
import { type RnnOptions, rnn } from './rnn.js';
import { simpleRNN } from './simple-rnn.js';
import { disposeState } from './state.js';

type Run = { outputs: tf.Tensor; state: { h: tf.Tensor; c?: tf.Tensor } };

/** Loss and gradients w.r.t. the inputs, the initial state and every weight. */
function lossAndGrads(cell: Cell, x: tf.Tensor3D, opts: RnnOptions, gradient: 'fused' | 'autodiff') {
  const B = x.shape[0];
  const h0 = tf.mul(tf.reshape(seqInput(B, 1, cell.outputSize, 7), [B, cell.outputSize]), 0.5) as tf.Tensor2D;
  const init: { h: tf.Tensor2D; c?: tf.Tensor2D } =
    cell.kind === 'lstm' ? { h: h0, c: tf.fill([B, cell.config.units], 0.3) } : { h: h0 };
  const vars = trainableParameters(cell.params as never);
  const f = (xx: tf.Tensor, hh: tf.Tensor) => {
    const r = rnn(
      cell as never,
      xx as tf.Tensor3D,
      {
        ...opts,
        gradient,
        returnState: true,
        initialState: { ...init, h: hh },
      } as never,
    ) as unknown as Run;
    return tf.add(weightedSum(r.outputs), tf.sum(tf.square(r.state.h))) as tf.Scalar;
  };
  const { value, grads } = tf.variableGrads(() => f(x, init.h), vars);
  const inputGrads = tf.grads(f)([x, init.h]);
  return { value, grads: [...vars.map((v) => grads[v.name]!), ...inputGrads] };
}

const OPTION_CASES: [string, RnnOptions][] = [
  ['plain', {}],
  ['lengths', { lengths: [6, 3, 0] }],
  ['reverse + lengths', { reverse: true, lengths: [2, 6, 4] }],
  ['truncate 2', { truncate: 2 }],
  ['mask with holes', {}],
  ['dropout', { training: true, inputDropout: 0.25, recurrentDropout: 0.3, seed: 11 }],
];

describe.each(testBackends())('fused BPTT on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });
  afterEach(() => setFusedKernelMode('auto'));

  test.each(CELL_CASES)(
    '%s: fused and autodiff agree with the float64 reference (masked, reversed)',
    async (_, make) => {
      const cell = make(3);
      const x = seqInput(3, 5, 3);
      for (const [opts, ref] of [
        [{ lengths: [5, 2, 0] }, { lengths: [5, 2, 0] }],
        [
          { lengths: [3, 5, 1], reverse: true },
          { lengths: [3, 5, 1], reverse: true },
        ],
      ] as const) {
        const want = await refBatch(cell, x, ref);
        for (const gradient of ['fused', 'autodiff'] as const) {
          const r = rnn(cell, x, { ...opts, gradient, returnState: true }) as unknown as Run;
          await expectNear(r.outputs, want.outputs.flat(2), 1e-5);
          await expectNear(r.state.h, want.h, 1e-5);
          if (r.state.c) await expectNear(r.state.c, want.c, 1e-5);
          disposeState(r as never);
        }
      }
    },
  );

  describe.each(CELL_CASES)('%s', (_, make) => {
    test.each(OPTION_CASES)('gradients: fused (JS and ops kernels) == autodiff, %s', async (name, opts) => {
      const cell = make(5);
      const x = seqInput(3, 6, 3, 2);
      const o =
        name === 'mask with holes'
          ? {
              ...opts,
              mask: tf.tensor2d([
                [1, 0, 1, 1, 0, 1],
                [0, 1, 1, 0, 1, 1],
                [1, 1, 1, 1, 1, 1],
              ]),
            }
          : opts;
      const auto = lossAndGrads(cell, x, o, 'autodiff');
      const runs = [lossAndGrads(cell, x, o, 'fused')];
      if (backend !== 'webgpu') {
        setFusedKernelMode('ops');
        runs.push(lossAndGrads(cell, x, o, 'fused'));
        setFusedKernelMode('auto');
      }
      for (const r of runs) {
        await expectNear(r.value, auto.value, 1e-4, 1e-5);
        for (let i = 0; i < r.grads.length; i++) await expectNear(r.grads[i]!, auto.grads[i]!, 2e-5, 1e-4);
        tf.dispose([r.value, ...r.grads]);
      }
      tf.dispose([auto.value, ...auto.grads]);
    });
  });

  test.each(CELL_CASES)(
    '%s: fused gradients match finite differences (with a mask; with truncation)',
    async (_, make) => {
      if (backend === 'webgpu') return; // float32 finite differences on a GPU are too coarse to say much
      const cell = make(9);
      const x = seqInput(2, 4, 3, 4);
      const w = cell.params.recurrentKernel;
      const original = tf.clone(w);
      const L = tf.reshape(tf.linspace(-1, 1.5, 2 * 4 * cell.outputSize), [2, 4, cell.outputSize]);
      const lengths = [4, 2];
      const check = (analyticLoss: () => tf.Scalar, numericLoss: () => tf.Scalar) => {
        const analytic = tf.variableGrads(analyticLoss, [w]).grads[w.name]!;
        const numeric = numericGradient(
          (v) => {
            w.assign(v);
            return numericLoss();
          },
          original,
          1e-2,
        );
        w.assign(original);
        expectClose(Array.from(analytic.dataSync()), Array.from(numeric), 2e-3, 2e-2);
        analytic.dispose();
      };
      const full = () =>
        tf.sum(tf.mul((rnn(cell, x, { lengths }) as unknown as Run).outputs, L)) as tf.Scalar;
      check(full, full);
      // Truncation k = 2: the truncated gradient is the exact gradient of Σ_chunks loss(chunk | its initial state
      // held at the unperturbed value). Finite differences of that chunked objective are an independent check.
      const truncated = () =>
        tf.sum(tf.mul((rnn(cell, x, { lengths, truncate: 2 }) as unknown as Run).outputs, L)) as tf.Scalar;
      const first = rnn(cell, tf.slice(x, [0, 0, 0], [2, 2, 3]), {
        lengths: [2, 2],
        returnState: true,
      }) as unknown as Run;
      const fixed = Object.fromEntries(
        Object.entries(first.state).map(([k, v]) => [k, tf.keep(tf.clone(v))]),
      );
      const chunked = () =>
        tf.tidy(() => {
          const a = (rnn(cell, tf.slice(x, [0, 0, 0], [2, 2, 3]), { lengths: [2, 2] }) as unknown as Run)
            .outputs;
          const b = (
            rnn(cell, tf.slice(x, [0, 2, 0], [2, 2, 3]), {
              lengths: [2, 0],
              initialState: fixed,
            } as never) as unknown as Run
          ).outputs;
          return tf.sum(tf.mul(tf.concat([a, b], 1), L)) as tf.Scalar;
        });
      check(truncated, chunked);
      tf.dispose([original, L, ...Object.values(fixed), first.outputs, ...Object.values(first.state)]);
    },
  );

  test('truncation equals a hand-derived one-step gradient (k = 1)', async () => {
    // With k = 1 no gradient crosses a step: dL/dU = Σ_t h_{t-1}ᵀ (dL/dy_t ⊙ (1 - h_t²)) for a tanh RNN.
    const cell = simpleRNN({ inputSize: 2, units: 3, seed: 4, initScheme: 'pytorch' });
    const x = seqInput(2, 4, 2, 9);
    const U = cell.params.recurrentKernel;
    const { grads } = tf.variableGrads(
      () => tf.sum((rnn(cell, x, { truncate: 1 }) as unknown as Run).outputs),
      [U],
    );
    const ys = (await (rnn(cell, x) as unknown as Run).outputs.array()) as number[][][];
    const want = [0, 1, 2].map(() => [0, 0, 0]);
    for (const seq of ys) {
      seq.forEach((h, t) => {
        const prev = t === 0 ? [0, 0, 0] : seq[t - 1]!;
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) want[i]![j]! += prev[i]! * (1 - h[j]! ** 2);
      });
    }
    await expectNear(grads[U.name]!, want, 1e-5);
    const full = tf.variableGrads(() => tf.sum((rnn(cell, x) as unknown as Run).outputs), [U]);
    expect(await maxDiff(full.grads[U.name]!, want)).toBeGreaterThan(1e-3); // truncation did change something
  });

  test.each(CELL_CASES)(
    '%s: gradientNormsThroughTime is the same on the fused and autodiff paths',
    async (_, make) => {
      const cell = make(2);
      const x = seqInput(2, 6, 3, 3);
      const loss = (y: tf.Tensor3D) => tf.sum(tf.square(tf.slice(y, [0, 5, 0], [-1, 1, -1]))) as tf.Scalar;
      const a = await gradientNormsThroughTime(cell, x, loss, { lengths: [6, 4] });
      const b = await gradientNormsThroughTime(cell, x, loss, { lengths: [6, 4], gradient: 'autodiff' });
      expect(a.norms).toHaveLength(6);
      await expectNear(a.norms, b.norms, 1e-5, 1e-4);
      expect(a.loss).toBeCloseTo(b.loss, 5);
    },
  );

  test('gradient norms vanish through a contracting tanh RNN', async () => {
    const cell = simpleRNN({ inputSize: 2, units: 4, seed: 1, identityRecurrent: 0.3 });
    const x = seqInput(2, 6, 2, 5);
    const { norms } = await gradientNormsThroughTime(
      cell,
      x,
      (y) => tf.sum(tf.slice(y, [0, 5, 0], [-1, 1, -1])) as tf.Scalar,
    );
    for (let t = 1; t < 6; t++) expect(norms[t - 1]!).toBeLessThan(norms[t]!); // shrinking towards early steps
    expect(norms[0]! / norms[5]!).toBeLessThan(0.01);
  });

  test('a training step (forward, fused backward, Adam) leaks no tensors', async () => {
    const cell = CELL_CASES[0]![1](1);
    const vars = trainableParameters(cell.params as never);
    const opt = tf.train.adam(0.01);
    const x = seqInput(2, 4, 3);
    const step = () => {
      const l = opt.minimize(
        () =>
          weightedSum(
            (
              rnn(cell, x, {
                lengths: [4, 2],
                training: true,
                recurrentDropout: 0.2,
                seed: 1,
              }) as unknown as Run
            ).outputs,
          ),
        true,
        vars,
      );
      l?.dispose();
    };
    step(); // Adam creates its slots on the first step
    await expectNoLeakedTensors(() => {
      step();
      step();
    });
  });
});
