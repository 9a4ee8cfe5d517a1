// By path, not as a dependency: @strand/test-utils depends on this package (for useTestBackend).

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../tooling/test-utils/src/close.js';
import { expectNoLeakedTensors } from '../../../../tooling/test-utils/src/leaks.js';
import { MissingKernelError } from '../errors.js';
import { useBackend } from '../use-backend.js';
import { backendsWithKernel } from './missing-kernels.js';

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  await useBackend(name as 'cpu');
  return f();
}

describe('UnsortedSegmentSum on wasm', () => {
  beforeAll(() => useBackend('wasm'));

  it.each([
    { name: '1-D', x: [1, 2, 3, 4, 5], xShape: [5], ids: [0, 2, 2, -1, 5], n: 3 },
    { name: '2-D rows', x: [1, 2, 3, 4, 5, 6, 7, 8], xShape: [4, 2], ids: [1, 1, 0, 3], n: 4 },
    {
      name: '3-D',
      x: Array.from({ length: 24 }, (_, i) => i * 0.5),
      xShape: [3, 2, 4],
      ids: [1, 0, 1],
      n: 2,
    },
  ])('matches cpu and a hand computation: $name', async ({ x, xShape, ids, n }) => {
    const run = () =>
      tf.tidy(() =>
        Array.from(tf.unsortedSegmentSum(tf.tensor(x, xShape), tf.tensor1d(ids, 'int32'), n).dataSync()),
      );
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expectClose(wasm, cpu, 0);
    if (xShape.length === 1) {
      // Out-of-range ids (-1, 5) are dropped, as in TensorFlow.
      expect(wasm).toEqual([1, 0, 5]);
    }
  });

  it('makes the gradient of gather work on wasm, leak-free', async () => {
    await useBackend('wasm');
    const table = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ids = tf.tensor1d([2, 0, 2, 2], 'int32');
    const g = await expectNoLeakedTensors(() => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, ids)))(table));
    expectClose(g, [
      [1, 1],
      [0, 0],
      [3, 3],
    ]);
    tf.dispose([table, ids, g]);
  });
});

describe('missing kernels', () => {
  it('fail with a typed error naming the kernel and the backends that have it', async () => {
    await useBackend('wasm');
    const error = (() => {
      try {
        tf.tidy(() => tf.fft(tf.complex([1, 2], [0, 0])));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(MissingKernelError);
    const e = error as MissingKernelError;
    expect(e.kernel).toBe('Complex');
    expect(e.backend).toBe('wasm');
    expect(e.availableOn).toContain('cpu');
    expect(e.message).toMatch(
      /Kernel 'Complex' is not implemented on the 'wasm' backend; it is implemented on: cpu/,
    );
  });

  it('never count the throwing stubs as implementations', async () => {
    await useBackend('wasm');
    expect(backendsWithKernel('Complex')).not.toContain('wasm');
    expect(backendsWithKernel('UnsortedSegmentSum')).toEqual(expect.arrayContaining(['cpu', 'wasm']));
  });
});

describe('BatchMatMul on wasm', () => {
  // Sizes that are not multiples of anything, so a wrong stride or offset shows.
  const cases = [
    { name: 'batched', a: [3, 5, 7], b: [3, 7, 4], tA: false, tB: false },
    { name: 'batched, 4-D', a: [2, 3, 6, 5], b: [2, 3, 5, 9], tA: false, tB: false },
    { name: 'batched, b transposed', a: [2, 3, 6, 5], b: [2, 3, 9, 5], tA: false, tB: true },
    { name: 'batched, a transposed', a: [4, 5, 6], b: [4, 5, 3], tA: true, tB: false },
    { name: 'batched, both transposed', a: [4, 5, 6], b: [4, 3, 5], tA: true, tB: true },
    { name: 'b shared (batch 1)', a: [4, 6, 5], b: [1, 5, 3], tA: false, tB: false },
    { name: 'b shared (rank 2)', a: [2, 3, 6, 5], b: [5, 3], tA: false, tB: false },
    { name: 'a shared (batch 1)', a: [1, 6, 5], b: [4, 5, 3], tA: false, tB: false },
    { name: 'plain 2-D', a: [6, 5], b: [5, 3], tA: false, tB: false },
  ];
  it.each(cases)('matches cpu (with gradients where tfjs has them): $name', async ({ a, b, tA, tB }) => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.randomNormal(a, 0, 1, 'float32', 1);
        const y = tf.randomNormal(b, 0, 1, 'float32', 2);
        const w = tf.randomNormal(tf.matMul(x, y, tA, tB).shape, 0, 1, 'float32', 3);
        const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, tA, tB), w));
        // tfjs' BatchMatMul gradient does not sum over broadcast batch axes (on any backend): forward only there.
        const broadcast = a.length !== b.length || a[0] !== b[0];
        const gs = broadcast ? [] : tf.grads(f)([x, y]);
        return [tf.matMul(x, y, tA, tB), ...gs].map((t) => ({
          shape: t.shape,
          values: Array.from(t.dataSync()),
        }));
      });
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    for (let i = 0; i < cpu.length; i++) {
      expect(wasm[i]!.shape).toEqual(cpu[i]!.shape);
      expectClose(wasm[i]!.values, cpu[i]!.values, 1e-4);
    }
  });

  it('leaves no tensor and no heap view behind', async () => {
    await useBackend('wasm');
    const x = tf.randomNormal([8, 16, 4]);
    const y = tf.randomNormal([8, 4, 16]);
    const run = () => tf.matMul(x, y);
    tf.dispose(await expectNoLeakedTensors(run));
    const before = tf.memory().numBytes;
    for (let i = 0; i < 5; i++) tf.dispose(run());
    expect(tf.memory().numBytes).toBe(before);
    tf.dispose([x, y]);
  });
});
