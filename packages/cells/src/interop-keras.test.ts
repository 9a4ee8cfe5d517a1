import { ConfigError, WeightsError } from '@strand/core';
import { expectClose, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { seqInput } from '../test/helpers.js';
import { gru } from './gru.js';
import { fromKeras, toKeras } from './interop-keras.js';
import { lstm } from './lstm.js';
import { rnn } from './rnn.js';

beforeAll(async () => {
  await useTestBackend('cpu');
});

describe('Keras layout', () => {
  test('GRU gates are reordered z, r, h <-> r, z, n; reset_after=True keeps both biases as [2, 3H]', () => {
    const cell = gru({ inputSize: 2, units: 3, seed: 1, initScheme: 'pytorch' });
    const k = toKeras(cell);
    expect(k.bias!.shape).toEqual([2, 9]);
    // Keras' first block (z) is Strand's second (z)
    expectClose(tf.slice(k.kernel, [0, 0], [2, 3]), tf.slice(cell.params.inputKernel, [0, 3], [2, 3]), 0);
    expectClose(
      tf.slice(k.bias!, [1, 6], [1, 3]),
      tf.reshape(tf.slice(cell.params.recurrentBias!, [6], [3]), [1, 3]),
      0,
    );
    const back = fromKeras({ ...k }, { layer: 'GRU', inputSize: 2, units: 3, resetAfter: true });
    const x = seqInput(2, 4, 2);
    expectClose(rnn(back, x).outputs, rnn(cell, x).outputs, 1e-6);
  });

  test('LSTM weights pass through unchanged (i, f, c, o = i, f, g, o)', () => {
    const cell = lstm({ inputSize: 2, units: 3, seed: 1 });
    const k = toKeras(cell);
    expectClose(k.recurrent_kernel, cell.params.recurrentKernel, 0);
    expect(() => toKeras(lstm({ inputSize: 2, units: 3, projSize: 2, seed: 1 }))).toThrow(ConfigError);
  });

  test('wrong shapes are reported by name', () => {
    const f = () =>
      fromKeras(
        { kernel: tf.zeros([2, 12]), recurrent_kernel: tf.zeros([3, 9]) },
        { layer: 'LSTM', inputSize: 2, units: 3 },
      );
    expect(f).toThrow(WeightsError);
    expect(f).toThrow('recurrent_kernel (expected [3, 12], received [3, 9])');
  });
});
