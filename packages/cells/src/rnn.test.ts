import { ConfigError, ShapeError } from '@strand/base';
import { trainableParameters } from '@strand/core';
import { expectClose, expectNoLeakedTensors, maxAbsDiff, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { seqInput, weightedSum } from '../test/helpers.js';
import { sequenceDropoutMask } from './dropout-masks.js';
import { gru } from './gru.js';
import { lstm } from './lstm.js';
import { rnn } from './rnn.js';
import { simpleRNN } from './simple-rnn.js';
import { detachState, disposeState, stopGradient } from './state.js';

beforeAll(async () => {
  await useTestBackend('cpu');
});

const PATHS = ['fused', 'autodiff'] as const;

describe.each(PATHS)('masking semantics (%s)', (gradient) => {
  test('a padded step outputs zeros and carries the state through unchanged', () => {
    const cell = lstm({ inputSize: 3, units: 4, seed: 1 });
    const x = seqInput(2, 5, 3);
    const r = rnn(cell, x, { lengths: [3, 5], gradient, returnState: true });
    const y = r.outputs.arraySync();
    expectClose(y[0]!.slice(3), new Array(8).fill(0), 0);
    // the final state of sequence 0 is the state after its third step, whatever came after
    const short = rnn(cell, tf.slice(x, [0, 0, 0], [1, 3, 3]), { gradient, returnState: true });
    expectClose(tf.slice(r.state.h, [0, 0], [1, 4]), short.state.h, 1e-6);
    expectClose(tf.slice(r.state.c, [0, 0], [1, 4]), short.state.c, 1e-6);
    // the padding values do not matter
    const noisy = tf.concat([tf.slice(x, [0, 0, 0], [1, 3, 3]), tf.fill([1, 2, 3], 99)], 1);
    const r2 = rnn(cell, tf.concat([noisy, tf.slice(x, [1, 0, 0], [1, 5, 3])]) as tf.Tensor3D, {
      lengths: [3, 5],
      gradient,
      returnState: true,
    });
    expectClose(r2.outputs, r.outputs, 1e-6);
  });

  test('nothing from padding reaches the gradients', () => {
    const cell = gru({ inputSize: 3, units: 4, seed: 2 });
    const x = seqInput(2, 5, 3);
    const g = tf.grad((xx: tf.Tensor) =>
      weightedSum(rnn(cell, xx as tf.Tensor3D, { lengths: [2, 5], gradient }).outputs),
    )(x);
    expectClose(tf.slice(g, [0, 2, 0], [1, 3, 3]), tf.zeros([1, 3, 3]), 0);
  });

  test('a mask tensor with holes equals the same steps run without the holes', () => {
    const cell = simpleRNN({ inputSize: 3, units: 4, seed: 3 });
    const x = seqInput(1, 5, 3);
    const r = rnn(cell, x, { mask: tf.tensor2d([[1, 0, 1, 0, 1]]), gradient, returnState: true });
    const dense = rnn(cell, tf.gather(x, [0, 2, 4], 1) as tf.Tensor3D, { gradient, returnState: true });
    expectClose(r.state.h, dense.state.h, 1e-6);
    expectClose(tf.gather(r.outputs, [0, 2, 4], 1), dense.outputs, 1e-6);
  });

  test('returnSequences: false gives the last valid output; reverse keeps outputs aligned', () => {
    const cell = gru({ inputSize: 3, units: 4, seed: 4 });
    const x = seqInput(2, 4, 3);
    const all = rnn(cell, x, { lengths: [2, 4], gradient });
    const last = rnn(cell, x, { lengths: [2, 4], gradient, returnSequences: false });
    expect(last.outputs.shape).toEqual([2, 4]);
    const at = (b: number, t: number) => tf.reshape(tf.slice(all.outputs, [b, t, 0], [1, 1, 4]), [4]);
    expectClose(last.outputs, tf.stack([at(0, 1), at(1, 3)]), 1e-6);
    const rev = rnn(cell, x, { reverse: true, gradient });
    const flipped = rnn(cell, tf.reverse(x, 1) as tf.Tensor3D, { gradient });
    expectClose(rev.outputs, tf.reverse(flipped.outputs, 1), 1e-6);
  });

  test('stateful use: two chunks with the state passed on equal one long run', () => {
    const cell = lstm({ inputSize: 3, units: 4, seed: 5 });
    const x = seqInput(2, 6, 3);
    const whole = rnn(cell, x, { gradient, returnState: true });
    const a = rnn(cell, tf.slice(x, [0, 0, 0], [2, 3, 3]), { gradient, returnState: true });
    const b = rnn(cell, tf.slice(x, [0, 3, 0], [2, 3, 3]), {
      gradient,
      returnState: true,
      initialState: a.state,
    });
    expectClose(tf.concat([a.outputs, b.outputs], 1), whole.outputs, 1e-6);
    expectClose(b.state.c, whole.state.c, 1e-6);
  });

  test('inference leaks no tensors', async () => {
    const cell = lstm({ inputSize: 3, units: 4, projSize: 2, seed: 6 });
    const x = seqInput(2, 4, 3);
    await expectNoLeakedTensors(() => rnn(cell, x, { lengths: [4, 1], gradient, returnState: true }));
  });
});

describe('dropout', () => {
  let cell: ReturnType<typeof lstm>;
  let x: tf.Tensor3D;
  beforeAll(() => {
    cell = lstm({ inputSize: 3, units: 4, seed: 1 });
    x = seqInput(2, 5, 3);
  });
  const opts = { inputDropout: 0.3, recurrentDropout: 0.3 };

  test('off unless training; seeded when training', () => {
    const plain = rnn(cell, x).outputs;
    expectClose(rnn(cell, x, { ...opts, training: false }).outputs, plain, 0);
    const a = rnn(cell, x, { ...opts, training: true, seed: 1 }).outputs;
    const b = rnn(cell, x, { ...opts, training: true, seed: 1 }).outputs;
    const c = rnn(cell, x, { ...opts, training: true, seed: 2 }).outputs;
    expectClose(a, b, 0);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(a, plain)).toBeGreaterThan(1e-3);
  });

  test('the mask is one draw per sequence: 0 or 1 / (1 - rate)', () => {
    const m = Array.from(sequenceDropoutMask(50, 40, 0.25, 3).dataSync());
    expect(new Set(m.map((v) => v.toFixed(5)))).toEqual(new Set(['0.00000', (1 / 0.75).toFixed(5)]));
    const dropped = m.filter((v) => v === 0).length / m.length;
    expect(dropped).toBeGreaterThan(0.2);
    expect(dropped).toBeLessThan(0.3);
  });

  test('training with dropout needs a seed', () => {
    expect(() => rnn(cell, x, { ...opts, training: true })).toThrow(ConfigError);
    expect(() => rnn(cell, x, { inputDropout: 1 })).toThrow(
      'inputDropout must be a number in [0, 1), received the number 1',
    );
  });
});

describe('bad input names what was expected and what came', () => {
  let cell: ReturnType<typeof lstm>;
  let x: tf.Tensor3D;
  beforeAll(() => {
    cell = lstm({ inputSize: 3, units: 4, seed: 1 });
    x = seqInput(2, 5, 3);
  });
  test.each([
    [
      'rank 2 input',
      () => rnn(cell, tf.zeros([2, 3]) as never),
      ShapeError,
      'rnn inputs: expected shape [?, ?, 3], received [2, 3]',
    ],
    [
      'wrong feature size',
      () => rnn(cell, seqInput(2, 5, 4)),
      ShapeError,
      'expected shape [?, ?, 3], received [2, 5, 4]',
    ],
    [
      'int32 input',
      () => rnn(cell, tf.zeros([2, 5, 3], 'int32') as tf.Tensor3D),
      ConfigError,
      'must be float32, received int32',
    ],
    [
      'length longer than the sequence',
      () => rnn(cell, x, { lengths: [6, 2] }),
      ConfigError,
      'lengths[0] must be an integer in [0, 5] (the sequence length), received 6',
    ],
    ['negative length', () => rnn(cell, x, { lengths: [2, -1] }), ConfigError, 'received -1'],
    ['fractional length', () => rnn(cell, x, { lengths: [2.5, 1] }), ConfigError, 'received 2.5'],
    [
      'one length per sequence',
      () => rnn(cell, x, { lengths: [2] }),
      ShapeError,
      'lengths: expected shape [2], received [1]',
    ],
    [
      'mask of the wrong shape',
      () => rnn(cell, x, { mask: tf.ones([2, 4]) as tf.Tensor2D }),
      ShapeError,
      'mask: expected shape [2, 5], received [2, 4]',
    ],
    [
      'lengths and mask',
      () => rnn(cell, x, { lengths: [1, 1], mask: tf.ones([2, 5]) as tf.Tensor2D }),
      ConfigError,
      'either lengths or mask',
    ],
    [
      'state of the wrong shape',
      () =>
        rnn(cell, x, {
          initialState: { h: tf.zeros([2, 4]) as tf.Tensor2D, c: tf.zeros([2, 3]) as tf.Tensor2D },
        }),
      ShapeError,
      'initialState.c: expected shape [2, 4], received [2, 3]',
    ],
    [
      'state missing c',
      () => rnn(cell, x, { initialState: { h: tf.zeros([2, 4]) } as never }),
      ShapeError,
      'initialState.c',
    ],
    [
      'truncate 0',
      () => rnn(cell, x, { truncate: 0 }),
      ConfigError,
      'truncate must be a positive integer, received the number 0',
    ],
    [
      'unknown gradient mode',
      () => rnn(cell, x, { gradient: 'fast' as 'auto' }),
      ConfigError,
      "'auto', 'fused', 'autodiff'",
    ],
  ])('%s', (_, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
});

describe('truncated BPTT loop with detachState', () => {
  test('state carried across minimize calls, no gradient into the previous chunk, no leaks', async () => {
    const cell = gru({ inputSize: 3, units: 4, seed: 1 });
    const vars = trainableParameters(cell.params);
    const opt = tf.train.sgd(0.1);
    const x = seqInput(2, 8, 3);
    let state: { h: tf.Tensor2D } | undefined;
    const chunk = (i: number) => {
      opt.minimize(
        () => {
          const r = rnn(cell, tf.slice(x, [0, 4 * i, 0], [2, 4, 3]), {
            initialState: state,
            returnState: true,
          });
          const old = state;
          state = detachState(r.state);
          if (old) disposeState(old);
          return weightedSum(r.outputs);
        },
        false,
        vars,
      );
    };
    chunk(0);
    await expectNoLeakedTensors(() => chunk(1));
    expect(state!.h.shape).toEqual([2, 4]);
    disposeState(state!);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stopGradient(t), t)))(tf.ones([3]));
    expectClose(g, [1, 1, 1]); // d/dt (sg(t) · t) = sg(t)
  });
});
