import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../use-backend.js';
import { conformanceCases } from './cases.js';
import { formatConformance, runConformance } from './run.js';

describe('conformance: wasm against cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('wasm');
  });

  it('every op and gradient agrees within tolerance, with no leaks', async () => {
    const results = await runConformance('wasm');
    const failed = results.filter((r) => !r.ok);
    expect(failed, formatConformance(failed)).toEqual([]);
    expect(results).toHaveLength(conformanceCases.length);
  });
});

describe('conformance: the cpu reference against finite differences', () => {
  beforeAll(() => useBackend('cpu'));

  // A directional derivative per case: (L(x + h v) - L(x - h v)) / 2h must equal sum_i <dL/dx_i, v_i>.
  it.each(conformanceCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    tf.tidy(() => {
      const xs = c.inputs();
      const vs = xs.map((x, i) => tf.randomNormal(x.shape, 0, 1, 'float32', 1000 + i));
      const grads = tf.grads((...args: tf.Tensor[]) => c.f(...args).loss)(xs);
      const analytic = grads.reduce((acc, g, i) => acc + tf.sum(tf.mul(g, vs[i]!)).dataSync()[0]!, 0);
      const h = 1e-3; // small enough that few relu inputs cross the kink
      const at = (s: number) => c.f(...xs.map((x, i) => tf.add(x, tf.mul(vs[i]!, s)))).loss.dataSync()[0]!;
      const numeric = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(numeric - analytic)).toBeLessThanOrEqual(2e-2 * Math.max(1, Math.abs(analytic)));
    });
  });
});
