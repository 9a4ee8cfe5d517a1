import { disposeParameters } from '@strand/core';
import {
  expectClose,
  expectGradientsMatch,
  expectNoLeakedTensors,
  testBackends,
  useTestBackend,
} from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { initMultiHeadAttention, type MultiHeadAttention, multiHeadAttention } from './multi-head.js';
import { applyRope } from './positional.js';
import { scaledDotProductAttention } from './scaled-dot-product.js';
import { additiveScore, dotScore, generalScore } from './scores.js';

const softmax = (xs: number[]) => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

/** An MHA with identity projections and no biases: head i sees feature block i. */
function identityMha(embedDim: number, numHeads: number): MultiHeadAttention {
  const m = initMultiHeadAttention({ embedDim, numHeads, bias: false, seed: 0 });
  for (const p of [m.params.query, m.params.key, m.params.value, m.params.output])
    p.kernel.assign(tf.eye(embedDim));
  return m;
}

describe.each(testBackends().filter((b) => b !== 'webgpu'))('core ops on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  test('scaled dot-product attention, hand-computed', async () => {
    await expectNoLeakedTensors(() =>
      tf.tidy(() => {
        const q = tf.tensor2d([[1, 0]]);
        const k = tf.tensor2d([
          [1, 0],
          [0, 1],
        ]);
        const v = tf.tensor2d([
          [1, 2],
          [3, 4],
        ]);
        const { output, weights } = scaledDotProductAttention(q, k, v);
        const w0 = 1 / (1 + Math.exp(-1 / Math.SQRT2)); // softmax([1/√2, 0])[0]
        expectClose(weights, [[w0, 1 - w0]], 1e-6);
        expectClose(output, [[w0 * 1 + (1 - w0) * 3, w0 * 2 + (1 - w0) * 4]], 1e-5);
      }),
    );
  });

  test('a fully masked row gives zero weights, zero output and zero gradient, never NaN', () => {
    tf.tidy(() => {
      const q = tf.tensor3d([
        [
          [1, 2],
          [0.5, -1],
        ],
      ]);
      const k = tf.tensor3d([
        [
          [1, 0],
          [0, 1],
          [2, 1],
        ],
      ]);
      const v = tf.tensor3d([
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      ]);
      const mask = tf.tensor2d([
        [1, 0, 1],
        [0, 0, 0],
      ]);
      const { output, weights } = scaledDotProductAttention(q, k, v, { mask });
      const w = weights.arraySync() as number[][][];
      expectClose(w[0]![1]!, [0, 0, 0], 0);
      expect(w[0]![0]![1]).toBe(0);
      expectClose(w[0]![0]![0]! + w[0]![0]![2]!, 1, 1e-6);
      expectClose((output.arraySync() as number[][][])[0]![1]!, [0, 0], 0);
      const [gq, gk, gv] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.slice(scaledDotProductAttention(a, b, c, { mask }).output, [0, 1, 0], [1, 1, 2])),
      )([q, k, v]);
      for (const g of [gq!, gk!, gv!]) {
        const values = Array.from(g.dataSync());
        expect(values.every((x) => x === 0)).toBe(true);
      }
    });
  });

  test('causal weights: query i never attends to key j > i; rows sum to 1', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 3);
      const w = scaledDotProductAttention(x, x, x, { causal: true }).weights.arraySync() as number[][][];
      for (const b of w)
        b.forEach((row, i) => {
          row.forEach((p, j) => {
            if (j > i) expect(p).toBe(0);
          });
          expectClose(
            row.reduce((s, p) => s + p, 0),
            1,
            1e-6,
          );
        });
    });
  });

  test('dot, general and additive scores, hand-computed', () => {
    tf.tidy(() => {
      const s = tf.tensor2d([[1, 2]]);
      const h = tf.tensor3d([
        [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
      ]);
      const mask = tf.tensor2d([[1, 1, 1]]);
      const dot = dotScore(s, h, { mask });
      const wd = softmax([1, 2, 3]);
      expectClose(dot.weights, [wd], 1e-6);
      expectClose(dot.context, [[wd[0]! + wd[2]!, wd[1]! + wd[2]!]], 1e-6);

      const general = generalScore(
        {
          kernel: tf.variable(
            tf.tensor2d([
              [1, 0],
              [0, 2],
            ]),
          ),
        },
        s,
        h,
      );
      const wg = softmax([1, 4, 5]); // s W = [1, 4]
      expectClose(general.weights, [wg], 1e-6);

      const p = {
        queryKernel: tf.variable(tf.eye(2)),
        keyKernel: tf.variable(tf.eye(2)),
        bias: tf.variable(tf.zeros([2])),
        v: tf.variable(tf.tensor1d([1, -1])),
      };
      const add = additiveScore(p, s, h, { mask: tf.tensor2d([[1, 0, 1]]) });
      const sc = [
        [1 + 1, 2 + 0],
        [1 + 0, 2 + 1],
        [1 + 1, 2 + 1],
      ].map(([a, b]) => Math.tanh(a!) - Math.tanh(b!));
      const wa = softmax([sc[0]!, sc[2]!]);
      expectClose(add.weights, [[wa[0]!, 0, wa[1]!]], 1e-6);
      expectClose(add.context, [[wa[0]! + wa[1]!, wa[1]!]], 1e-6);
    });
  });

  test('multi-head attention, hand-computed (identity projections, one feature per head)', () => {
    tf.tidy(() => {
      const m = identityMha(2, 2);
      const x = tf.tensor3d([
        [
          [1, 2],
          [3, -1],
          [0, 1],
        ],
      ]);
      const { output, weights } = multiHeadAttention(m, x, x, x, { causal: true });
      const rows = [
        [1, 2],
        [3, -1],
        [0, 1],
      ];
      const expected = rows.map((_, i) =>
        [0, 1].map((f) => {
          const w = softmax(rows.slice(0, i + 1).map((r) => rows[i]![f]! * r[f]!)); // scale 1/√1
          return w.reduce((s, wj, j) => s + wj * rows[j]![f]!, 0);
        }),
      );
      expectClose(output, expected.flat(), 1e-5);
      expect(weights.shape).toEqual([1, 2, 3, 3]);
      disposeParameters(m.params);
    });
  });

  test('gradients match finite differences (attention, MHA, additive score, RoPE)', () => {
    tf.tidy(() => {
      const k = tf.randomNormal([1, 3, 4], 0, 1, 'float32', 1);
      const v = tf.randomNormal([1, 3, 2], 0, 1, 'float32', 2);
      const mask = tf.tensor2d([
        [1, 0, 1],
        [1, 1, 1],
      ]);
      expectGradientsMatch(
        (q) => tf.sum(tf.square(scaledDotProductAttention(q, k, v, { mask }).output)),
        tf.randomNormal([1, 2, 4], 0, 1, 'float32', 3),
        { h: 1e-2 },
      );
      const m = initMultiHeadAttention({ embedDim: 4, numHeads: 2, kdim: 3, vdim: 5, seed: 4 });
      const kk = tf.randomNormal([1, 3, 3], 0, 1, 'float32', 5);
      const vv = tf.randomNormal([1, 3, 5], 0, 1, 'float32', 6);
      expectGradientsMatch(
        (q) =>
          tf.sum(
            tf.square(multiHeadAttention(m, q as tf.Tensor3D, kk as tf.Tensor3D, vv as tf.Tensor3D).output),
          ),
        tf.randomNormal([1, 2, 4], 0, 1, 'float32', 7),
        { h: 1e-2 },
      );
      const p = {
        queryKernel: tf.variable(tf.randomNormal([2, 3], 0, 1, 'float32', 8)),
        keyKernel: tf.variable(tf.randomNormal([2, 3], 0, 1, 'float32', 9)),
        bias: tf.variable(tf.zeros([3])),
        v: tf.variable(tf.randomNormal([3], 0, 1, 'float32', 10)),
      };
      const h = tf.randomNormal([1, 4, 2], 0, 1, 'float32', 11);
      expectGradientsMatch(
        (s) => tf.sum(tf.square(additiveScore(p, s as tf.Tensor2D, h as tf.Tensor3D).context)),
        tf.randomNormal([1, 2], 0, 1, 'float32', 12),
        { h: 1e-2 },
      );
      expectGradientsMatch(
        (x) =>
          tf.sum(
            tf.mul(applyRope(x, { offset: 3, style: 'interleaved' }), tf.reshape(tf.range(0, 8), [2, 4])),
          ),
        tf.randomNormal([2, 4], 0, 1, 'float32', 13),
        { h: 1e-2 },
      );
      disposeParameters(m.params);
    });
  });
});

/**
 * WebGPU reads back asynchronously only (its synchronous read needs a canvas), so there the core
 * ops run on fixed inputs and are compared, output and gradient, with the cpu backend's results
 * (which the tests above check against hand-computed values and finite differences).
 */
function coreCases(): Record<string, () => tf.Tensor[]> {
  const q = tf.tensor3d([
    [
      [1, 2],
      [0.5, -1],
      [0.3, 0.1],
    ],
  ]);
  const k = tf.tensor3d([
    [
      [1, 0],
      [0, 1],
      [2, 1],
      [-1, 0.5],
    ],
  ]);
  const v = tf.tensor3d([
    [
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ],
  ]);
  const mask = tf.tensor2d([
    [1, 0, 1, 1],
    [0, 0, 0, 0],
    [1, 1, 1, 1],
  ]);
  const sdpa = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    scaledDotProductAttention(a, b, c, { mask, causal: false });
  const m = identityMha(2, 2);
  const x = tf.tensor3d([
    [
      [1, 2],
      [3, -1],
      [0, 1],
    ],
  ]);
  const p = {
    queryKernel: tf.variable(
      tf.tensor2d([
        [0.5, -0.2, 0.1],
        [0.3, 0.8, -0.5],
      ]),
    ),
    keyKernel: tf.variable(
      tf.tensor2d([
        [0.1, 0.4, -0.3],
        [-0.6, 0.2, 0.9],
      ]),
    ),
    bias: tf.variable(tf.tensor1d([0.1, 0, -0.1])),
    v: tf.variable(tf.tensor1d([1, -0.5, 0.25])),
  };
  const s = tf.tensor2d([[0.2, -0.4]]);
  const h = tf.tensor3d([
    [
      [1, 0],
      [0, 1],
      [1, 1],
    ],
  ]);
  return {
    sdpa: () => {
      const r = sdpa(q, k, v);
      return [
        r.output,
        r.weights,
        ...tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(sdpa(a, b, c).output)))([
          q,
          k,
          v,
        ]),
      ];
    },
    causal: () => [scaledDotProductAttention(q, k, v, { causal: true }).weights],
    mha: () => {
      const r = multiHeadAttention(m, x, x, x, { causal: true });
      return [
        r.output,
        r.weights,
        tf.grad((y: tf.Tensor) =>
          tf.sum(
            tf.square(
              multiHeadAttention(m, y as tf.Tensor3D, y as tf.Tensor3D, y as tf.Tensor3D, { causal: true })
                .output,
            ),
          ),
        )(x),
      ];
    },
    scores: () => {
      const a = additiveScore(p, s, h, { mask: tf.tensor2d([[1, 0, 1]]) });
      const d = dotScore(s, h);
      return [
        a.context,
        a.weights,
        d.context,
        d.weights,
        tf.grad((y: tf.Tensor) => tf.sum(additiveScore(p, y as tf.Tensor2D, h).context))(s),
      ];
    },
    rope: () => [
      applyRope(
        tf.tensor2d([
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ]),
        { offset: 3, style: 'interleaved' },
      ),
    ],
  };
}

async function runCases(): Promise<Record<string, number[][]>> {
  const out: Record<string, number[][]> = {};
  for (const [name, make] of Object.entries(coreCases())) {
    const tensors = tf.tidy(make);
    out[name] = await Promise.all(tensors.map(async (t) => Array.from(await t.data())));
    tf.dispose(tensors);
  }
  return out;
}

describe.runIf(testBackends().includes('webgpu'))('core ops on webgpu (SwiftShader)', () => {
  test("outputs and gradients equal the cpu backend's, with no NaN from the fully masked row", async () => {
    await useTestBackend('cpu');
    const reference = await runCases();
    await useTestBackend('webgpu');
    const actual = await runCases();
    for (const [name, tensors] of Object.entries(reference)) {
      tensors.forEach((values, i) => {
        expect(
          actual[name]![i]!.some((x) => Number.isNaN(x)),
          `${name}[${i}] has NaN`,
        ).toBe(false);
        expectClose(actual[name]![i]!, values, 1e-4, 1e-4);
      });
    }
    await useTestBackend('cpu');
  });
});
