import { initializers, trainableParameters } from '@strand/core';
import { expectClose, expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { embed, initEmbedding } from './embedding.js';
import { IdOutOfRangeError, NonFiniteError } from './errors.js';

/** Values as a flat array, read asynchronously (WebGPU in Node cannot read synchronously). */
async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

const ids = [
  [1, 3, 0],
  [3, 3, 2],
];

/**
 * Central finite differences, reading values asynchronously (WebGPU in Node cannot read
 * synchronously, so test-utils' numericGradient is not usable there).
 */
async function numericGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h: number): Promise<number[]> {
  const base = (await x.data()) as Float32Array;
  const out: number[] = [];
  for (let i = 0; i < base.length; i++) {
    const probe = async (delta: number) => {
      const v = Float32Array.from(base);
      v[i] = base[i]! + delta;
      const xi = tf.tensor(v, x.shape);
      const y = f(xi);
      const value = (await y.data())[0]!;
      tf.dispose([xi, y]);
      return value;
    };
    out.push(((await probe(h)) - (await probe(-h))) / (2 * h));
  }
  return out;
}

/** d/dW sum(embed(W, ids)² * w), analytic and by finite differences. */
async function gradients(paddingIdx?: number) {
  const p = initEmbedding({ vocabSize: 5, dim: 2, seed: 3, ...(paddingIdx !== undefined && { paddingIdx }) });
  const w = tf.tensor3d([0.5, -1, 2, 0.25, 1, 1, -0.5, 3, 1.5, -2, 0.75, 0.1], [2, 3, 2]);
  const f = (table: tf.Tensor) =>
    tf.tidy(
      () =>
        tf.sum(
          tf.mul(tf.square(embed({ weight: table as tf.Variable }, ids, { paddingIdx })), w),
        ) as tf.Scalar,
    );
  const analytic = tf.tidy(() => tf.grad(f)(p.weight));
  const numeric = await numericGradient(f, p.weight, 1e-2);
  const out = { analytic: (await analytic.array()) as number[][], numeric };
  tf.dispose([analytic, w, p.weight]);
  return out;
}

describe.each(testBackends())('embedding on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('looks up rows: ids [2, 3] -> [2, 3, dim]', async () => {
    const p = initEmbedding({
      vocabSize: 4,
      dim: 2,
      seed: 0,
      init: () => tf.tensor2d([0, 1, 10, 11, 20, 21, 30, 31], [4, 2]),
    });
    const y = await expectNoLeakedTensors(() =>
      embed(
        p,
        ids.map((r) => r.map((i) => i % 4)),
      ),
    );
    expect(y.shape).toEqual([2, 3, 2]);
    expectClose(await read(y), [10, 11, 30, 31, 0, 1, 30, 31, 30, 31, 20, 21]);
    const t = tf.tensor1d([2, 0], 'int32');
    const z = await expectNoLeakedTensors(() => embed(p, t));
    expectClose(await read(z), [
      [20, 21],
      [0, 1],
    ]);
    tf.dispose([y, t, z, p.weight]);
  });

  it('has a gradient that matches finite differences, and scatter-adds repeated ids', async () => {
    const { analytic, numeric } = await gradients();
    expectClose(analytic, numeric, 2e-2, 1e-2);
    expectClose(analytic[4]!, [0, 0], 0); // id 4 is never looked up
  });

  it('keeps the padding row at zero: zero output, zero gradient, zero after optimizer steps', async () => {
    const p = initEmbedding({ vocabSize: 5, dim: 3, paddingIdx: 3, seed: 1 });
    expectClose(await read(tf.gather(p.weight, [3])), [[0, 0, 0]], 0);
    const { analytic, numeric } = await gradients(3);
    expectClose(analytic[3]!, [0, 0], 0);
    expectClose(analytic, numeric, 2e-2, 1e-2);
    for (const make of [() => tf.train.sgd(0.5), () => tf.train.adam(0.1)]) {
      await expectNoLeakedTensors(() => {
        const optimizer = make();
        for (let step = 0; step < 3; step++) {
          optimizer.minimize(
            () => tf.sum(tf.square(tf.sub(embed(p, ids, { paddingIdx: 3 }), 1))) as tf.Scalar,
            false,
            trainableParameters(p),
          );
        }
        optimizer.dispose();
      });
    }
    const rows = (await p.weight.array()) as number[][];
    expect(rows[3]).toEqual([0, 0, 0]);
    expect(rows[1]!.some((v) => v !== 0)).toBe(true);
    const y = embed(p, [3, 1], { paddingIdx: 3 });
    expectClose(await read(tf.gather(y, [0])), [[0, 0, 0]], 0);
    tf.dispose([y, p.weight]);
  });

  it('names ids out of range and rejects a bad paddingIdx', () => {
    const p = initEmbedding({ vocabSize: 4, dim: 2, seed: 0 });
    expect(() => embed(p, [1, 4])).toThrow('embed: id at index 1: expected an integer in [0, 4), received 4');
    const t = tf.tensor2d([0, 1, -2, 3], [2, 2], 'int32');
    expect(() => embed(p, t)).toThrow(IdOutOfRangeError);
    expect(() => embed(p, [0], { paddingIdx: 4 })).toThrow(
      /paddingIdx must be an integer in \[0, 3\], received 4/,
    );
    expect(() => initEmbedding({ vocabSize: 0, dim: 2, seed: 0 })).toThrow(
      /vocabSize must be a positive integer/,
    );
    tf.dispose([t, p.weight]);
  });

  it('checkFinite names the table, the row and the step of a NaN or Inf, without leaking', async (ctx) => {
    // checkFinite reads the rows back synchronously, which WebGPU in Node cannot do (see the README).
    if (tf.getBackend() === 'webgpu') ctx.skip();
    const p = initEmbedding({ vocabSize: 4, dim: 3, seed: 0 });
    // Row 2 holds an Infinity at column 1; rows 0, 1, 3 are finite.
    p.weight.assign(tf.tensor2d([0, 1, 2, 3, 4, 5, 6, Number.POSITIVE_INFINITY, 8, 9, 10, 11], [4, 3]));
    await expectNoLeakedTensors(() => {
      const y = embed(p, [0, 3, 1], { checkFinite: true });
      y.dispose();
    });
    let error: unknown;
    await expectNoLeakedTensors(() => {
      try {
        embed(
          p,
          [
            [0, 1],
            [2, 3],
          ],
          { checkFinite: true, name: 'tokens.weight', step: 17 },
        );
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(NonFiniteError);
    const e = error as NonFiniteError;
    expect([e.code, e.tensor, e.step]).toEqual(['ERR_NON_FINITE', 'tokens.weight', 17]);
    expect(e.message).toContain(
      'tokens.weight at step 17: expected finite numbers, received Infinity in row 2, column 1 (looked up at position 2)',
    );
    // Off by default: the lookup itself does not read values back.
    const y = embed(p, [2]);
    expect((await read(y))[1]).toBe(Number.POSITIVE_INFINITY);
    tf.dispose([y, p.weight]);
  });

  it('uses initializers from core, seeded', async () => {
    const a = initEmbedding({
      vocabSize: 6,
      dim: 4,
      seed: 7,
      init: initializers.uniform({ min: -1, max: 1 }),
    });
    const b = initEmbedding({
      vocabSize: 6,
      dim: 4,
      seed: 7,
      init: initializers.uniform({ min: -1, max: 1 }),
    });
    expectClose(await read(a.weight), await read(b.weight), 0);
    expect((await tf.max(tf.abs(a.weight)).data())[0]).toBeLessThanOrEqual(1);
    tf.dispose([a.weight, b.weight]);
  });
});

describe('the gather gradient is the same on every backend', () => {
  it.each(testBackends().filter((b) => b !== 'cpu'))('%s vs cpu', async (backend) => {
    await useTestBackend('cpu');
    const onCpu = await gradients(0);
    await useTestBackend(backend);
    const other = await gradients(0);
    expectClose(other.analytic, onCpu.analytic, 1e-5);
  });
});
