import { ConfigError, decodeUtf8, FormatError, parseJson } from '@strand/base';
import { disposeParameters, WeightsError } from '@strand/core';
import { expectClose, fuzzReader, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { seqInput } from '../test/helpers.js';
import { type GruCell, gru } from './gru.js';
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

/** Keras weights as JSON, nested arrays per weight (what `layer.get_weights()` gives as lists). */
async function kerasJson(): Promise<string> {
  const cell = gru({ inputSize: 2, units: 2, seed: 1 });
  const k = toKeras(cell);
  const text = JSON.stringify({
    kernel: await k.kernel.array(),
    recurrent_kernel: await k.recurrent_kernel.array(),
    bias: await k.bias!.array(),
  });
  tf.dispose([k.kernel, k.recurrent_kernel, k.bias!]);
  disposeParameters(cell.params);
  return text;
}

describe('Keras weights under hostile input', () => {
  const config = { layer: 'GRU', inputSize: 2, units: 2 } as const;

  test('a failing fromKeras leaks no tensors (missing, misshapen, malformed)', async () => {
    const good = JSON.parse(await kerasJson());
    const cases = [
      { kernel: good.kernel, recurrent_kernel: tf.zeros([2, 5]), bias: good.bias },
      { kernel: good.kernel, recurrent_kernel: good.recurrent_kernel, bias: good.bias, extra: [1] },
      {
        kernel: good.kernel,
        recurrent_kernel: good.recurrent_kernel,
        bias: [
          [1, 2, 3, 4, 5, 6],
          [1, 2, 3, 4, 5, 'NaN'],
        ],
      },
      { kernel: good.kernel, recurrent_kernel: null, bias: good.bias },
    ];
    for (const weights of cases) {
      const before = tf.memory().numTensors;
      expect(() => fromKeras(weights as never, config)).toThrow(/Keras weights|Weights/);
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose(cases[0]!.recurrent_kernel as tf.Tensor);
  });

  test.each([
    [{ bias: null }, /bias: expected a tensor, \{shape, data\} or nested arrays of numbers, got null/],
    [{ bias: [true, 1, 1, 1, 1, 1] }, /bias: \[0\] must be a finite number, got a boolean/],
    [{ kernel: 'NaN' }, /kernel: expected a tensor/],
  ])('%j is a FormatError naming the weight', async (patch, message) => {
    const good = JSON.parse(await kerasJson());
    const f = () =>
      fromKeras({ ...good, ...patch } as never, { layer: 'GRU', inputSize: 2, units: 2, resetAfter: false });
    expect(f).toThrow(FormatError);
    expect(f).toThrow(message);
  });

  test('a wrong layer name is a ConfigError listing the valid ones', () => {
    expect(() => fromKeras({} as never, { layer: 'Lstm' as never, inputSize: 2, units: 2 })).toThrow(
      `layer must be one of 'SimpleRNN', 'LSTM', 'GRU', received a string "Lstm"`,
    );
  });

  test('fuzz: 600 seeded mutations of Keras weight JSON give a cell or a typed error, and leak nothing', async () => {
    const input = await kerasJson();
    const before = tf.memory().numTensors;
    const report = await fuzzReader({
      input,
      count: 600,
      seed: 4,
      read: (bytes) => {
        const json = parseJson(decodeUtf8(bytes, { format: 'Keras weights' }), { format: 'Keras weights' });
        const cell = fromKeras(json as never, config);
        disposeParameters(cell.params);
        return cell.kind;
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.rejected).toBeGreaterThan(300);
    expect(report.accepted).toBeGreaterThan(0);
  });

  test('round trip: fromKeras(JSON of toKeras(cell)) has the same weights', async () => {
    const back = fromKeras(JSON.parse(await kerasJson()), config) as GruCell;
    const cell = gru({ inputSize: 2, units: 2, seed: 1 });
    expect(back.kind).toBe('gru');
    for (const key of ['inputKernel', 'recurrentKernel', 'bias', 'recurrentBias'] as const)
      expectClose(back.params[key]!, cell.params[key]!, 0);
    disposeParameters(back.params);
    disposeParameters(cell.params);
  });
});
