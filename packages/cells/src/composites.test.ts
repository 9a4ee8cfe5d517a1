import { ConfigError, ShapeError } from '@strand/base';
import { testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectNear, maxDiff, refBatch, seqInput, weightedSum } from '../test/helpers.js';
import { bidirectional, type MergeMode } from './bidirectional.js';
import { gru } from './gru.js';
import { lstm } from './lstm.js';
import { rnn } from './rnn.js';
import { simpleRNN } from './simple-rnn.js';
import { skipConnections } from './skip.js';
import { stacked } from './stacked.js';

describe.each(testBackends())('compositions on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  test('bidirectional: each direction matches the reference, the backward one starting at its last valid step', async () => {
    const fw = lstm({ inputSize: 3, units: 4, seed: 1, initScheme: 'pytorch' });
    const bw = lstm({ inputSize: 3, units: 4, seed: 2, initScheme: 'pytorch' });
    const x = seqInput(2, 5, 3);
    const lengths = [5, 3];
    const r = rnn(bidirectional(fw, bw), x, { lengths, returnState: true });
    const f = await refBatch(fw, x, { lengths });
    const b = await refBatch(bw, x, { lengths, reverse: true });
    const want = f.outputs.map((seq, i) => seq.map((y, t) => [...y, ...b.outputs[i]![t]!]));
    await expectNear(r.outputs, want.flat(2), 1e-5);
    await expectNear(r.state.forward.c, f.c, 1e-5);
    await expectNear(r.state.backward.h, b.h, 1e-5);
    const last = rnn(bidirectional(fw, bw), x, { lengths, returnSequences: false });
    await expectNear(
      last.outputs,
      f.h.map((h, i) => [...h, ...b.h[i]!]),
      1e-5,
    );
  });

  test.each(['sum', 'average', 'multiply'] as MergeMode[])('merge %s', async (merge) => {
    const fw = gru({ inputSize: 3, units: 4, seed: 1 });
    const bw = gru({ inputSize: 3, units: 4, seed: 2 });
    const x = seqInput(2, 4, 3);
    const a = rnn(fw, x).outputs;
    const b = rnn(bw, x, { reverse: true }).outputs;
    const want =
      merge === 'sum' ? tf.add(a, b) : merge === 'average' ? tf.mul(tf.add(a, b), 0.5) : tf.mul(a, b);
    await expectNear(rnn(bidirectional(fw, bw, { merge }), x).outputs, want, 1e-6);
  });

  test('bidirectional gradients: fused == autodiff, with a mask', async () => {
    const bi = bidirectional(
      gru({ inputSize: 3, units: 4, seed: 1 }),
      gru({ inputSize: 3, units: 4, seed: 2 }),
    );
    const x = seqInput(2, 4, 3);
    const g = (gradient: 'fused' | 'autodiff') =>
      tf.grad((xx: tf.Tensor) =>
        weightedSum(rnn(bi, xx as tf.Tensor3D, { lengths: [4, 2], gradient }).outputs),
      )(x);
    await expectNear(g('fused'), g('autodiff'), 1e-5);
  });

  test('stacked with returnState runs a single time step (one-token generation)', async () => {
    const l0 = lstm({ inputSize: 3, units: 4, seed: 1 });
    const l1 = gru({ inputSize: 4, units: 4, seed: 2 });
    const x = seqInput(2, 1, 3);
    const y1 = rnn(l1, rnn(l0, x).outputs).outputs;
    const deep = rnn(stacked([l0, l1]), x, { returnState: true });
    await expectNear(deep.outputs, y1, 1e-6);
    await expectNear((deep.state as [unknown, { h: tf.Tensor }])[1].h, tf.reshape(y1, [2, 4]), 1e-6);
  });

  test('stacked = layers chained by hand; residual adds the input; dropout only when training', async () => {
    const l0 = lstm({ inputSize: 3, units: 4, seed: 1 });
    const l1 = gru({ inputSize: 4, units: 4, seed: 2 });
    const x = seqInput(2, 5, 3);
    const y0 = rnn(l0, x, { lengths: [5, 2] }).outputs;
    const y1 = rnn(l1, y0, { lengths: [5, 2] }).outputs;
    const deep = rnn(stacked([l0, l1]), x, { lengths: [5, 2], returnState: true });
    await expectNear(deep.outputs, y1, 1e-6);
    expect(deep.state).toHaveLength(2);
    const mask = tf.expandDims(
      tf.tensor2d([
        [1, 1, 1, 1, 1],
        [1, 1, 0, 0, 0],
      ]),
      2,
    );
    const res = rnn(stacked([l0, l1], { residual: true }), x, { lengths: [5, 2] }).outputs;
    await expectNear(res, tf.mul(tf.add(y1, y0), mask), 1e-6);
    const last = rnn(stacked([l0, l1], { residual: true }), x, {
      lengths: [5, 2],
      returnSequences: false,
    }).outputs;
    await expectNear(
      last,
      tf.stack([
        tf.reshape(tf.slice(res, [0, 4, 0], [1, 1, 4]), [4]),
        tf.reshape(tf.slice(res, [1, 1, 0], [1, 1, 4]), [4]),
      ]),
      1e-6,
    );
    const drop = stacked([l0, l1], { dropout: 0.5 });
    await expectNear(rnn(drop, x).outputs, rnn(stacked([l0, l1]), x).outputs, 0);
    const t1 = rnn(drop, x, { training: true, seed: 3 }).outputs;
    await expectNear(rnn(drop, x, { training: true, seed: 3 }).outputs, t1, 0);
    expect(await maxDiff(t1, rnn(drop, x, { training: true, seed: 4 }).outputs)).toBeGreaterThan(1e-4);
  });

  test('a stack of bidirectional layers (PyTorch num_layers=2, bidirectional=True)', async () => {
    const mk = (i: number, n: number) =>
      bidirectional(
        lstm({ inputSize: n, units: 3, seed: i }),
        lstm({ inputSize: n, units: 3, seed: i + 10 }),
      );
    const deep = stacked([mk(1, 2), mk(2, 6)]);
    const x = seqInput(2, 4, 2);
    const r = rnn(deep, x, { lengths: [4, 3], returnState: true });
    expect(r.outputs.shape).toEqual([2, 4, 6]);
    expect(r.state[1].backward.c.shape).toEqual([2, 3]);
    const again = rnn(deep, x, { lengths: [4, 3], initialState: r.state });
    expect(again.outputs.shape).toEqual([2, 4, 6]);
  });

  test('skip connections through time: h̃ = ½ (h_{t-1} + h_{t-d}) feeds step t', async () => {
    const cell = simpleRNN({ inputSize: 2, units: 3, seed: 1 });
    const x = seqInput(1, 6, 2);
    const d = 3;
    const steps = tf.unstack(x, 1) as tf.Tensor2D[];
    const hs: tf.Tensor2D[] = [];
    const h0 = tf.zeros([1, 3]) as tf.Tensor2D;
    for (let t = 0; t < 6; t++) {
      const prev = hs[t - 1] ?? h0;
      const far = hs[t - d] ?? h0;
      hs.push(cell.step(steps[t]!, { h: tf.mul(tf.add(prev, far), 0.5) as tf.Tensor2D }).output);
    }
    const r = rnn(skipConnections(cell, { delay: d }), x, { returnState: true });
    await expectNear(r.outputs, tf.stack(hs, 1), 1e-6);
    expect(r.state).toHaveLength(d);
    await expectNear(r.state[d - 1]!.h, hs[5]!, 1e-6);
    const g = tf.grad((xx: tf.Tensor) =>
      weightedSum(rnn(skipConnections(cell, { delay: d }), xx as tf.Tensor3D, { lengths: [4] }).outputs),
    )(x);
    expect(g.shape).toEqual([1, 6, 2]);
  });
});

describe('composition errors', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });
  test.each([
    [
      'bidirectional input sizes',
      () =>
        bidirectional(lstm({ inputSize: 3, units: 4, seed: 1 }), lstm({ inputSize: 2, units: 4, seed: 1 })),
      'same inputSize',
    ],
    [
      'merge sum with unequal sizes',
      () =>
        bidirectional(gru({ inputSize: 3, units: 4, seed: 1 }), gru({ inputSize: 3, units: 5, seed: 1 }), {
          merge: 'sum',
        }),
      "merge 'sum' needs equal output sizes",
    ],
    [
      'stack size mismatch',
      () => stacked([lstm({ inputSize: 3, units: 4, seed: 1 }), lstm({ inputSize: 5, units: 4, seed: 1 })]),
      'layer 1 has inputSize 5 but layer 0 outputs 4',
    ],
    [
      'residual size mismatch',
      () =>
        stacked([lstm({ inputSize: 3, units: 4, seed: 1 }), lstm({ inputSize: 4, units: 6, seed: 1 })], {
          residual: true,
        }),
      'residual',
    ],
    ['empty stack', () => stacked([]), 'at least one layer'],
    [
      'skip delay 1',
      () => skipConnections(gru({ inputSize: 3, units: 4, seed: 1 }), { delay: 1 }),
      'delay must be at least 2',
    ],
    [
      'fused skip',
      () =>
        rnn(skipConnections(gru({ inputSize: 3, units: 4, seed: 1 }), { delay: 2 }), seqInput(1, 3, 3), {
          gradient: 'fused',
        }),
      'skip connections',
    ],
    [
      'reverse bidirectional',
      () =>
        rnn(
          bidirectional(gru({ inputSize: 3, units: 4, seed: 1 }), gru({ inputSize: 3, units: 4, seed: 2 })),
          seqInput(1, 3, 3),
          { reverse: true },
        ),
      'reverse',
    ],
  ])('%s', async (_, f, message) => {
    expect(f).toThrow(ConfigError);
    expect(f).toThrow(message);
  });

  test('composite states are checked path by path', async () => {
    const bi = bidirectional(
      lstm({ inputSize: 3, units: 4, seed: 1 }),
      lstm({ inputSize: 3, units: 4, seed: 2 }),
    );
    const good = { h: tf.zeros([1, 4]) as tf.Tensor2D, c: tf.zeros([1, 4]) as tf.Tensor2D };
    const f = () =>
      rnn(bi, seqInput(1, 3, 3), {
        initialState: { forward: good, backward: { ...good, c: tf.zeros([1, 2]) as tf.Tensor2D } },
      });
    expect(f).toThrow(ShapeError);
    expect(f).toThrow('initialState.backward.c: expected shape [1, 4], received [1, 2]');
    const deep = stacked([
      gru({ inputSize: 3, units: 4, seed: 1 }),
      gru({ inputSize: 4, units: 4, seed: 1 }),
    ]);
    expect(() =>
      rnn(deep, seqInput(1, 3, 3), { initialState: [{ h: tf.zeros([1, 4]) as tf.Tensor2D }] as never }),
    ).toThrow('an array of 2 layer states');
  });
});
