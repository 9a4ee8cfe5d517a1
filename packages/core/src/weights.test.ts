import { useBackend } from '@strand/backend';
import { expectClose, expectNoLeakedTensors } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { WeightsError } from './errors.js';
import { initLayerNorm } from './layer-norm.js';
import { initLinear } from './linear.js';
import { disposeParameters, namedParameters } from './params.js';
import { parseSafetensors } from './safetensors/parse.js';
import { loadParameters, saveParameters } from './weights.js';

function model(seed: number) {
  return {
    encoder: { layers: [initLinear({ inputSize: 3, outputSize: 4, seed })] },
    norm: initLayerNorm({ size: 4 }),
  };
}

describe.each(['cpu', 'wasm'] as const)('loadParameters / saveParameters on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('round-trips a tree through safetensors bytes, keyed by path', async () => {
    const a = model(1);
    const b = model(2);
    const bytes = await expectNoLeakedTensors(() => saveParameters(a, { epoch: '3' }));
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ epoch: '3' });
    expect([...tensors.keys()]).toEqual([
      'encoder.layers.0.kernel',
      'encoder.layers.0.bias',
      'norm.gamma',
      'norm.beta',
    ]);
    const report = await expectNoLeakedTensors(() => loadParameters(b, tensors));
    expect(report).toEqual({ missing: [], unexpected: [] });
    tf.dispose([...tensors.values()]); // the variables keep their own reference
    for (const [name, v] of namedParameters(a)) expectClose(namedParameters(b).get(name)!, v, 0);
    disposeParameters([a, b]);
  });

  it('lists everything missing, unexpected and of the wrong shape, and changes nothing', () => {
    const target = model(1);
    const before = target.encoder.layers[0]!.kernel.arraySync();
    const tensors = {
      'encoder.layers.0.kernel': tf.zeros([3, 4]),
      'encoder.layers.0.bias': tf.zeros([5]),
      'norm.gamma': tf.zeros([4], 'int32'),
      'head.kernel': tf.zeros([4, 2]),
    };
    let error: WeightsError | undefined;
    try {
      loadParameters(target, tensors, { file: 'ckpt.safetensors' });
    } catch (e) {
      error = e as WeightsError;
    }
    expect(error).toBeInstanceOf(WeightsError);
    expect(error!.missing).toEqual(['norm.beta']);
    expect(error!.unexpected).toEqual(['head.kernel']);
    expect(error!.wrongShape).toEqual([{ name: 'encoder.layers.0.bias', expected: [4], received: [5] }]);
    expect(error!.wrongDtype).toEqual([{ name: 'norm.gamma', expected: 'float32', received: 'int32' }]);
    expect(error!.file).toBe('ckpt.safetensors');
    expect(error!.message).toBe(
      'Weights in ckpt.safetensors do not match the parameters; missing 1: norm.beta; unexpected 1: head.kernel; ' +
        'wrong shape 1: encoder.layers.0.bias (expected [4], received [5]); ' +
        'wrong dtype 1: norm.gamma (expected float32, received int32)',
    );
    expect(target.encoder.layers[0]!.kernel.arraySync()).toEqual(before); // no partial load
    tf.dispose(Object.values(tensors));
    disposeParameters(target);
  });

  it('with strict: false, loads what matches and reports the rest', () => {
    const target = model(1);
    const tensors = new Map([
      ['norm.gamma', tf.fill([4], 2)],
      ['extra', tf.zeros([1])],
    ]);
    const report = loadParameters(target, tensors, { strict: false });
    expect(report.missing).toEqual(['encoder.layers.0.kernel', 'encoder.layers.0.bias', 'norm.beta']);
    expect(report.unexpected).toEqual(['extra']);
    expectClose(target.norm.gamma, [2, 2, 2, 2], 0);
    const bad = new Map([['norm.beta', tf.zeros([3])]]);
    expect(() => loadParameters(target, bad, { strict: false })).toThrow(/wrong shape 1: norm.beta/);
    tf.dispose([...tensors.values(), ...bad.values()]);
    disposeParameters(target);
  });
});
