import { useBackend } from '@strand/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { disposeParameters, namedParameters, type Params, trainableParameters } from './params.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('parameter trees', () => {
  it('names leaves by dotted path: keys in insertion order, arrays by index, nulls skipped', () => {
    const v = (x: number, trainable = true) => tf.variable(tf.scalar(x), trainable);
    const tree = {
      encoder: { layers: [{ cell: { kernel: v(1), bias: null } }, { cell: { kernel: v(2), bias: v(3) } }] },
      head: v(4, false),
    } satisfies Params;
    const named = namedParameters(tree);
    expect([...named.keys()]).toEqual([
      'encoder.layers.0.cell.kernel',
      'encoder.layers.1.cell.kernel',
      'encoder.layers.1.cell.bias',
      'head',
    ]);
    expect([...named.values()].map((x) => x.dataSync()[0])).toEqual([1, 2, 3, 4]);
    expect([...namedParameters(tree, 'model').keys()][0]).toBe('model.encoder.layers.0.cell.kernel');
    expect(trainableParameters(tree).map((x) => x.dataSync()[0])).toEqual([1, 2, 3]);

    const before = tf.memory().numTensors;
    disposeParameters(tree);
    expect(tf.memory().numTensors).toBe(before - 4);
    expect(tree.head.isDisposed).toBe(true);
  });

  it('lists a tied variable once, under its first path', () => {
    const w = tf.variable(tf.zeros([2, 2]));
    const tree = { embed: w, out: { kernel: w } };
    expect([...namedParameters(tree).keys()]).toEqual(['embed']);
    expect(trainableParameters(tree)).toEqual([w]);
    disposeParameters(tree);
    expect(w.isDisposed).toBe(true);
  });

  it('gives an empty map for null and empty containers', () => {
    expect(namedParameters(null).size).toBe(0);
    expect(namedParameters({ a: [], b: {} }).size).toBe(0);
  });

  it('rejects a plain tensor, a number or a class instance, naming the path', () => {
    const t = tf.zeros([1]);
    expect(() => namedParameters({ a: { b: t } } as unknown as Params)).toThrow(/'a\.b' is a tf\.Tensor/);
    expect(() => namedParameters({ a: [3] } as unknown as Params)).toThrow(ConfigError);
    expect(() => namedParameters({ a: new Map() } as unknown as Params)).toThrow(/Map at 'a'/);
    t.dispose();
  });

  it('rejects two variables on one path', () => {
    const a = tf.variable(tf.zeros([1]));
    const b = tf.variable(tf.zeros([1]));
    expect(() => namedParameters({ 'x.y': a, x: { y: b } })).toThrow(/share the path 'x\.y'/);
    a.dispose();
    b.dispose();
  });
});
