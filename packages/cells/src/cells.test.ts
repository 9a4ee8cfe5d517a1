import { ConfigError, ShapeError } from '@strand/base';
import { initializers, namedParameters } from '@strand/core';
import { expectClose, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { refBatch, seqInput } from '../test/helpers.js';
import { gru } from './gru.js';
import { lstm } from './lstm.js';
import { rnn } from './rnn.js';
import { simpleRNN } from './simple-rnn.js';

beforeAll(async () => {
  await useTestBackend('cpu');
});

describe('initialisation', () => {
  test('the LSTM forget-gate bias starts at 1 (or forgetBias), the other gates at 0', () => {
    const b = lstm({ inputSize: 2, units: 3, seed: 0 }).params.bias!.arraySync() as number[];
    expect(b).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const b2 = lstm({
      inputSize: 2,
      units: 1,
      forgetBias: 2.5,
      seed: 0,
    }).params.bias!.arraySync() as number[];
    expect(b2).toEqual([0, 2.5, 0, 0]);
  });

  test('IRNN: identityRecurrent makes the recurrent kernel gain · I and the bias zero', () => {
    const c = simpleRNN({
      inputSize: 2,
      units: 3,
      activation: 'relu',
      identityRecurrent: 0.5,
      initScheme: 'pytorch',
      seed: 0,
    });
    expectClose(c.params.recurrentKernel, [
      [0.5, 0, 0],
      [0, 0.5, 0],
      [0, 0, 0.5],
    ]);
    expectClose(c.params.bias!, [0, 0, 0]);
  });

  test('same seed, same weights; parameter paths are stable', () => {
    const a = gru({ inputSize: 2, units: 3, seed: 7 });
    const b = gru({ inputSize: 2, units: 3, seed: 7 });
    expectClose(a.params.inputKernel, b.params.inputKernel, 0);
    expect([...namedParameters(a.params).keys()]).toEqual([
      'inputKernel',
      'recurrentKernel',
      'bias',
      'recurrentBias',
    ]);
    expect([
      ...namedParameters(gru({ inputSize: 2, units: 3, resetAfter: false, seed: 1 }).params).keys(),
    ]).toEqual(['inputKernel', 'recurrentKernel', 'bias']);
  });

  test('weight shapes: fused gate blocks, projection, minimal GRU', () => {
    const l = lstm({ inputSize: 5, units: 4, projSize: 2, seed: 0 });
    expect(l.params.inputKernel.shape).toEqual([5, 16]);
    expect(l.params.recurrentKernel.shape).toEqual([2, 16]);
    expect(l.params.projection!.shape).toEqual([4, 2]);
    expect(l.outputSize).toBe(2);
    expect(gru({ inputSize: 5, units: 4, minimal: true, seed: 0 }).params.recurrentKernel.shape).toEqual([
      4, 8,
    ]);
  });

  test('custom initializers are used', () => {
    const c = lstm({
      inputSize: 2,
      units: 2,
      kernelInit: initializers.ones(),
      biasInit: initializers.constant(0.5),
      seed: 0,
    });
    expectClose(c.params.inputKernel, tf.ones([2, 8]));
    expect(c.params.bias!.arraySync()).toEqual([0.5, 0.5, 1, 1, 0.5, 0.5, 0.5, 0.5]);
  });
});

describe('invalid configurations throw ConfigError at init', () => {
  test.each([
    [
      'units 0',
      () => lstm({ inputSize: 2, units: 0, seed: 0 }),
      'units must be a positive integer, received the number 0',
    ],
    ['fractional inputSize', () => gru({ inputSize: 2.5, units: 3, seed: 0 }), 'inputSize'],
    [
      'projSize >= units',
      () => lstm({ inputSize: 2, units: 3, projSize: 3, seed: 0 }),
      'projSize (3) must be smaller than units (3)',
    ],
    [
      'forgetBias without bias',
      () => lstm({ inputSize: 2, units: 3, bias: false, forgetBias: 1, seed: 0 }),
      'forgetBias',
    ],
    [
      'epsilon without layerNorm',
      () => lstm({ inputSize: 2, units: 3, layerNormEpsilon: 1e-3, seed: 0 }),
      'layerNorm',
    ],
    [
      'minimal + resetAfter',
      () => gru({ inputSize: 2, units: 3, minimal: true, resetAfter: false, seed: 0 }),
      'minimal GRU',
    ],
    ['leak 0', () => simpleRNN({ inputSize: 2, units: 3, leak: 0, seed: 0 }), 'leak must be in (0, 1]'],
    [
      'unknown activation',
      () => simpleRNN({ inputSize: 2, units: 3, activation: 'gelu' as 'tanh', seed: 0 }),
      "'tanh', 'relu'",
    ],
    ['no seed', () => lstm({ inputSize: 2, units: 3 } as never), 'seed'],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });
});

describe('autodiff-only LSTM variants agree with the float64 reference', () => {
  test.each([
    ['peephole', { peephole: true }],
    ['layer norm', { layerNorm: true }],
    ['peephole + layer norm + projection', { peephole: true, layerNorm: true, projSize: 2 }],
  ])('%s', async (_, extra) => {
    const cell = lstm({ inputSize: 3, units: 4, initScheme: 'pytorch', seed: 3, ...extra });
    const x = seqInput(2, 5, 3);
    const want = await refBatch(cell, x, { lengths: [5, 3] });
    const r = rnn(cell, x, { lengths: [5, 3], returnState: true });
    expectClose(r.outputs, want.outputs.flat(2), 1e-5);
    expectClose(r.state.c, want.c, 1e-5);
    expect(() => rnn(cell, x, { gradient: 'fused' })).toThrow(ConfigError);
  });
});

describe('step', () => {
  test('cell.step is one step of rnn', () => {
    const cell = lstm({ inputSize: 3, units: 4, seed: 1 });
    const x = seqInput(2, 1, 3);
    const h = tf.fill([2, 4], 0.1) as tf.Tensor2D;
    const c = tf.fill([2, 4], -0.2) as tf.Tensor2D;
    const s = cell.step(tf.reshape(x, [2, 3]) as tf.Tensor2D, { h, c });
    const r = rnn(cell, x, { initialState: { h, c }, returnState: true });
    expectClose(s.output, tf.reshape(r.outputs, [2, 4]), 1e-6);
    expectClose(s.state.c, r.state.c, 1e-6);
    expect(s.output).toBe(s.state.h);
  });

  test('a step with the wrong feature size fails inside tfjs, rnn names the shapes', () => {
    const cell = gru({ inputSize: 3, units: 4, seed: 1 });
    expect(() => rnn(cell, seqInput(2, 2, 5))).toThrow(ShapeError);
    expect(() => rnn(cell, seqInput(2, 2, 5))).toThrow(
      'rnn inputs: expected shape [?, ?, 3], received [2, 2, 5]',
    );
  });
});
