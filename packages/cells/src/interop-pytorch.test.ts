// PyTorch interop without torch at test time: config checks, the state conversions, the parameter and
// gradient name map against gradients PyTorch 1.13 computed (test/fixtures/torch-grads.json, made by
// test/fixtures/torch_grads.py), and hostile state_dict JSON.
import { readFileSync } from 'node:fs';
import { ConfigError, decodeUtf8, FormatError, parseJson, ShapeError } from '@strand/base';
import { disposeParameters, namedParameters, type Params, WeightsError } from '@strand/core';
import { expectClose, expectNoLeakedTensors, fuzzReader, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { bidirectional } from './bidirectional.js';
import { gru } from './gru.js';
import { fromPyTorch, type PyTorchRnnConfig, toPyTorch } from './interop-pytorch.js';
import {
  gradientsFromPyTorch,
  gradientsToPyTorch,
  pyTorchNames,
  stateFromPyTorch,
  stateToPyTorch,
} from './interop-pytorch-names.js';
import { lstm } from './lstm.js';
import type { Recurrent } from './recurrent.js';
import { rnn } from './rnn.js';
import { skipConnections } from './skip.js';
import { stacked } from './stacked.js';
import { disposeState, type StateTree } from './state.js';

type Enc = { shape: number[]; data: number[] };
const dec = (e: Enc) => tf.tensor(e.data, e.shape);
const enc = (t: tf.Tensor): Enc => ({ shape: t.shape, data: Array.from(t.dataSync()) });

interface GradCase {
  config: PyTorchRnnConfig;
  stateDict: Record<string, Enc>;
  grads: Record<string, Enc>;
  input: Enc;
  h0: Enc;
  c0?: Enc;
  loss: number;
}
const CASES = JSON.parse(
  readFileSync(new URL('../test/fixtures/torch-grads.json', import.meta.url), 'utf8'),
) as Record<string, GradCase>;

beforeAll(async () => {
  await useTestBackend('cpu');
});

describe('fromPyTorch config', () => {
  test('a wrong mode is a ConfigError listing the valid modes', () => {
    const f = () => fromPyTorch({}, { mode: 'LSTM2' as never, inputSize: 2, hiddenSize: 3 });
    expect(f).toThrow(ConfigError);
    expect(f).toThrow(`mode must be one of 'LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU', received a string "LSTM2"`);
  });
  test.each([
    [{ hiddenSize: 0 }, 'hiddenSize'],
    [{ numLayers: 1.5 }, 'numLayers'],
    [{ projSize: 3 }, 'projSize'],
    [{ bidirectional: 'yes' }, 'bidirectional'],
    [{ inputSize: -1 }, 'inputSize'],
  ])('%j is a ConfigError naming %s', (patch, field) => {
    try {
      fromPyTorch({}, { mode: 'LSTM', inputSize: 2, hiddenSize: 3, ...(patch as object) });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).field).toBe(field);
    }
  });
});

describe('PyTorch names, gradients and states (against PyTorch 1.13)', () => {
  test.each(Object.keys(CASES))('%s: loss, and every gradient by PyTorch name, both ways', (name) => {
    const c = CASES[name]!;
    const sd = Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, dec(v)]));
    const layer = fromPyTorch(sd, c.config);
    tf.dispose(Object.values(sd));
    const x = dec(c.input) as tf.Tensor3D;
    const h0 = dec(c.h0);
    const c0 = c.c0 ? dec(c.c0) : undefined;
    const initialState = stateFromPyTorch(layer, h0, c0);
    const named = namedParameters(layer.params as Params);
    const vars = [...named.values()];
    const { value, grads } = tf.variableGrads(() => {
      const r = rnn(layer, x, { initialState: initialState as never, returnState: true });
      const y = r.outputs;
      const w = tf.reshape(tf.linspace(-1, 1, y.size), y.shape);
      const final = stateToPyTorch(layer, r.state);
      let loss = tf.add(tf.sum(tf.mul(y, w)), tf.mul(tf.sum(final.h), 0.5));
      if (final.c) loss = tf.add(loss, tf.mul(tf.sum(final.c), 0.25));
      return loss as tf.Scalar;
    }, vars);
    expect(value.dataSync()[0]).toBeCloseTo(c.loss, 4);
    const byPath = new Map([...named].map(([path, v]) => [path, grads[v.name]!]));
    const ours = gradientsToPyTorch(layer, byPath);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(c.grads).sort());
    for (const [k, g] of Object.entries(c.grads)) {
      try {
        expectClose(ours[k]!, dec(g), 1e-5);
      } catch (e) {
        throw new Error(`${name} ${k}: ${(e as Error).message}`);
      }
    }
    const torchGrads = Object.fromEntries(Object.entries(c.grads).map(([k, v]) => [k, dec(v)]));
    const back = gradientsFromPyTorch(layer, torchGrads);
    expect([...back.keys()].sort()).toEqual([...named.keys()].sort());
    for (const [path, g] of back) expectClose(g, byPath.get(path)!, 1e-5);
    tf.dispose([value, x, h0, ...(c0 ? [c0] : []), ...Object.values(grads), ...Object.values(ours)]);
    tf.dispose([...Object.values(torchGrads), ...back.values()]);
    disposeParameters(layer.params as Params);
  });

  test('the name map of a 2-layer bidirectional LSTM, and how biases relate', () => {
    const bi = (s: number, n: number) =>
      bidirectional(lstm({ inputSize: n, units: 2, seed: s }), lstm({ inputSize: n, units: 2, seed: s + 1 }));
    const layer = stacked([bi(1, 3), bi(3, 4)]);
    const names = pyTorchNames(layer);
    expect(names.slice(0, 3)).toEqual([
      { path: '0.forward.inputKernel', pytorch: ['weight_ih_l0'], transpose: true },
      { path: '0.forward.recurrentKernel', pytorch: ['weight_hh_l0'], transpose: true },
      { path: '0.forward.bias', pytorch: ['bias_ih_l0', 'bias_hh_l0'], transpose: false },
    ]);
    expect(names.find((n) => n.path === '1.backward.bias')!.pytorch).toEqual([
      'bias_ih_l1_reverse',
      'bias_hh_l1_reverse',
    ]);
    expect(names).toHaveLength(12);
    const g = gru({ inputSize: 2, units: 2, seed: 1 });
    expect(pyTorchNames(g).map((n) => [n.path, n.pytorch])).toEqual([
      ['inputKernel', ['weight_ih_l0']],
      ['recurrentKernel', ['weight_hh_l0']],
      ['bias', ['bias_ih_l0']],
      ['recurrentBias', ['bias_hh_l0']],
    ]);
    expect(() => pyTorchNames(skipConnections(g, { delay: 2 }))).toThrow(ConfigError);
    disposeParameters(layer.params);
    disposeParameters(g.params);
  });

  test('stateFromPyTorch / stateToPyTorch round-trip, and check shapes', async () => {
    const layer = stacked([
      bidirectional(
        lstm({ inputSize: 3, units: 4, projSize: 2, seed: 1 }),
        lstm({ inputSize: 3, units: 4, projSize: 2, seed: 2 }),
      ),
      bidirectional(
        lstm({ inputSize: 4, units: 4, projSize: 2, seed: 3 }),
        lstm({ inputSize: 4, units: 4, projSize: 2, seed: 4 }),
      ),
    ]);
    const h = tf.randomNormal([4, 5, 2], 0, 1, 'float32', 1);
    const c = tf.randomNormal([4, 5, 4], 0, 1, 'float32', 2);
    const made = await expectNoLeakedTensors(() => {
      const s = stateFromPyTorch(layer, h, c) as {
        forward: { h: tf.Tensor; c: tf.Tensor };
        backward: { h: tf.Tensor };
      }[];
      const want = tf.tidy(() => tf.squeeze(tf.slice(h, [2, 0, 0], [1, -1, -1]), [0]));
      expectClose(s[1]!.forward.h, want, 0);
      want.dispose();
      const back = stateToPyTorch(layer, s);
      expectClose(back.h, h, 0);
      expectClose(back.c!, c, 0);
      return [s, back];
    });
    disposeState(made as unknown as StateTree);
    expect(() => stateFromPyTorch(layer, h)).toThrow(ShapeError);
    expect(() => stateFromPyTorch(layer, tf.zeros([2, 5, 2]), c)).toThrow(
      'PyTorch h: expected shape [4, ?, 2], received [2, 5, 2]',
    );
    expect(() => stateToPyTorch(layer, [{}])).toThrow('an array of 2 layer states');
    tf.dispose([h, c]);
    disposeParameters(layer.params);
  });
});

/** A small GRU state_dict as JSON ({shape, data} per weight), the format torch_rnn.py writes. */
function stateDictJson(layer: Recurrent): { text: string; config: PyTorchRnnConfig } {
  const { config, stateDict } = toPyTorch(layer);
  const text = JSON.stringify(Object.fromEntries(Object.entries(stateDict).map(([k, v]) => [k, enc(v)])));
  tf.dispose(Object.values(stateDict));
  return { text, config };
}

describe('PyTorch state_dict JSON under hostile input', () => {
  test.each([
    [
      'null weight',
      (w: Record<string, unknown>) => ({ ...w, bias_ih_l0: null }),
      /bias_ih_l0: expected a tensor/,
    ],
    [
      '"NaN" in data',
      (w: Record<string, Enc>) => ({
        ...w,
        bias_ih_l0: { ...w['bias_ih_l0']!, data: ['NaN', ...w['bias_ih_l0']!.data.slice(1)] },
      }),
      /data\[0\] must be a finite number, got a string "NaN"/,
    ],
    [
      'true in data',
      (w: Record<string, Enc>) => ({
        ...w,
        bias_hh_l0: { ...w['bias_hh_l0']!, data: [true, ...w['bias_hh_l0']!.data.slice(1)] },
      }),
      /got a boolean/,
    ],
    [
      'wrong data length',
      (w: Record<string, Enc>) => ({ ...w, bias_hh_l0: { shape: [6], data: [1, 2] } }),
      /needs 6 values, data has 2/,
    ],
    [
      'huge declared shape',
      (w: Record<string, Enc>) => ({ ...w, bias_hh_l0: { shape: [2 ** 20, 2 ** 20], data: [] } }),
      /more than 268435456 elements/,
    ],
    [
      'ragged nested arrays',
      (w: Record<string, Enc>) => ({ ...w, weight_ih_l0: [[1, 2], [3]] }),
      /ragged arrays/,
    ],
    ['not an object', () => [1, 2], /expected an object of named weights, got an array/],
  ])('%s: a FormatError naming the weight, no tensors left', (_, mutate, message) => {
    const layer = gru({ inputSize: 2, units: 2, seed: 1, initScheme: 'pytorch' });
    const { text, config } = stateDictJson(layer);
    disposeParameters(layer.params);
    const json = (mutate as (w: Record<string, Enc>) => unknown)(JSON.parse(text));
    const before = tf.memory().numTensors;
    expect(() => fromPyTorch(json as never, config)).toThrow(FormatError);
    expect(() => fromPyTorch(json as never, config)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('deep nesting is refused by the JSON reader and by the weight reader', () => {
    const config: PyTorchRnnConfig = { mode: 'GRU', inputSize: 2, hiddenSize: 2 };
    expect(() => parseJson(`{"a":${'['.repeat(100_000)}`, { format: 'PyTorch state_dict' })).toThrow(
      /nesting deeper than 64/,
    );
    const deep = JSON.parse(`${'['.repeat(20)}1${']'.repeat(20)}`);
    expect(() => fromPyTorch({ weight_ih_l0: deep } as never, config)).toThrow(/nested deeper than 8 levels/);
  });

  test('fuzz: 600 seeded mutations of state_dict JSON give a model or a typed error, and leak nothing', async () => {
    const layer = gru({ inputSize: 2, units: 2, seed: 1, initScheme: 'pytorch' });
    const { text, config } = stateDictJson(layer);
    disposeParameters(layer.params);
    const before = tf.memory().numTensors;
    const report = await fuzzReader({
      input: text,
      count: 600,
      seed: 3,
      read: (bytes) => {
        const json = parseJson(decodeUtf8(bytes, { format: 'PyTorch state_dict' }), {
          format: 'PyTorch state_dict',
        });
        const model = fromPyTorch(json as never, config);
        disposeParameters(model.params as Params);
        return model.kind;
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.rejected).toBeGreaterThan(300);
    expect(report.accepted).toBeGreaterThan(0);
  });

  test('round trip: fromPyTorch(JSON of toPyTorch(layer)) has the same weights, exactly', () => {
    const layer = stacked([
      bidirectional(lstm({ inputSize: 2, units: 3, seed: 1 }), lstm({ inputSize: 2, units: 3, seed: 2 })),
      bidirectional(lstm({ inputSize: 6, units: 3, seed: 3 }), lstm({ inputSize: 6, units: 3, seed: 4 })),
    ]);
    const { text, config } = stateDictJson(layer);
    const back = fromPyTorch(JSON.parse(text), config);
    const a = namedParameters(layer.params);
    const b = namedParameters(back.params as Params);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(Array.from(b.get(k)!.dataSync())).toEqual(Array.from(v.dataSync()));
    disposeParameters(layer.params);
    disposeParameters(back.params as Params);
  });

  test('a WeightsError still lists names, and leaves no tensors', () => {
    const cell = lstm({ inputSize: 3, units: 4, seed: 1 });
    const { config, stateDict } = toPyTorch(cell);
    disposeParameters(cell.params);
    const bad: Record<string, tf.Tensor> = { ...stateDict, extra: tf.zeros([1]) };
    const before = tf.memory().numTensors;
    expect(() => fromPyTorch(bad, config)).toThrow(WeightsError);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(bad));
  });
});
