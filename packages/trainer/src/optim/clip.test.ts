import { ConfigError, NonFiniteError } from '@strand/base';
import { expectClose, expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Nested } from '../../test/fixtures.js';
import { clipGradNorm, clipGradNormAsync, clipGradValue, gradNorm, gradNormAsync } from './clip.js';
import { assertFinite, checkFiniteGrads, checkFiniteGradsAsync } from './finite.js';

interface ClipFixture {
  grads: Record<string, Nested>;
  norm: { maxNorm: number; normType: number | 'Infinity'; norm: number; grads: Record<string, Nested> }[];
  value: { clipValue: number; grads: Record<string, Nested> };
}
const F = fixture<ClipFixture>('clip');

function gradMap(g: Record<string, Nested>): Map<string, tf.Tensor> {
  return new Map(Object.entries(g).map(([k, v]) => [k, tf.tensor(v as number[])]));
}

async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe.each(testBackends())('clipping on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it.each(F.norm.map((c) => [`max ${c.maxNorm}, p = ${c.normType}`, c] as const))(
    'clipGradNorm %s matches clip_grad_norm_',
    async (_, c) => {
      const grads = gradMap(F.grads);
      const normType = c.normType === 'Infinity' ? Number.POSITIVE_INFINITY : c.normType;
      const out = await expectNoLeakedTensors(() => clipGradNormAsync(grads, c.maxNorm, { normType }));
      expect(Math.abs(out.norm - c.norm)).toBeLessThan(1e-5 * c.norm);
      expect(await gradNormAsync(grads, { normType })).toBe(out.norm); // the same norm, without clipping
      expect([...out.grads.keys()]).toEqual(Object.keys(F.grads));
      for (const [k, g] of out.grads)
        expectClose(await read(g), (c.grads[k] as number[]).flat(Number.POSITIVE_INFINITY), 1e-6, 1e-5);
      if (backend !== 'webgpu') {
        // The synchronous forms agree with the asynchronous one.
        const sync = clipGradNorm(grads, c.maxNorm, { normType });
        expect(sync.norm).toBe(out.norm);
        for (const [k, g] of sync.grads) expect(await read(g)).toEqual(await read(out.grads.get(k)!));
        tf.dispose([...sync.grads.values()]);
        expect(gradNorm(grads, { normType })).toBe(out.norm);
      }
      // The inputs are untouched (new tensors come back).
      expectClose(await read(grads.get('b')!), F.grads['b'] as number[], 0);
      tf.dispose([...grads.values(), ...out.grads.values()]);
    },
  );

  it('clipGradValue matches clip_grad_value_', async () => {
    const grads = gradMap(F.grads);
    const out = clipGradValue(grads, F.value.clipValue);
    for (const [k, g] of out)
      expectClose(await read(g), (F.value.grads[k] as number[]).flat(Number.POSITIVE_INFINITY), 0);
    tf.dispose([...grads.values(), ...out.values()]);
  });

  it('checkFiniteGrads names the first bad gradient with one read', async () => {
    const grads = new Map<string, tf.Tensor>([
      ['ok', tf.tensor([1, 2, 3])],
      ['inf', tf.tensor([1, Number.POSITIVE_INFINITY])],
      ['nan', tf.tensor([Number.NaN])],
    ]);
    const good = new Map([...grads].slice(0, 1));
    const r = await checkFiniteGradsAsync(grads, 7);
    expect(r).toEqual({ finite: false, badPath: 'inf', step: 7 });
    expect(await checkFiniteGradsAsync(good, 7)).toEqual({ finite: true, step: 7 });
    expect(await checkFiniteGradsAsync(new Map([...grads].slice(2)), 1)).toMatchObject({ badPath: 'nan' });
    expect(() => assertFinite(r)).toThrow(NonFiniteError);
    expect(() => assertFinite(r)).toThrow("gradient 'inf' at step 7: expected finite numbers");
    tf.dispose([...grads.values()]);
  });
});

describe('clipping details', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('keeps PyTorch eps: a norm equal to maxNorm still scales by maxNorm / (norm + 1e-6)', () => {
    const g = new Map([['x', tf.tensor([3, 4])]]); // norm 5
    const out = clipGradNorm(g, 5);
    expect(out.norm).toBeCloseTo(5, 6);
    const [a, b] = Array.from(out.grads.get('x')!.dataSync());
    expect(a).toBeLessThan(3); // scaled, if only by about one float32 ulp
    expect(b).toBeLessThan(4);
    expectClose([a!, b!], [3 * (5 / (5 + 1e-6)), 4 * (5 / (5 + 1e-6))], 5e-7);
    const none = clipGradNorm(new Map(), 1);
    expect(none).toEqual({ grads: new Map(), norm: 0 });
    expect(() => clipGradNorm(g, -1)).toThrow(ConfigError);
    expect(() => clipGradNorm(g, 1, { normType: 0 })).toThrow(/normType must be a number > 0 or Infinity/);
    expect(() => clipGradValue(g, Number.NaN)).toThrow(/clipValue/);
    tf.dispose([...g.values(), ...out.grads.values()]);
  });

  it('a non-finite norm is reported, as PyTorch with error_if_nonfinite=false', () => {
    const g = new Map([['x', tf.tensor([Number.NaN, 1])]]);
    const out = clipGradNorm(g, 1);
    expect(out.norm).toBeNaN();
    expect(checkFiniteGrads(out.grads, 3)).toEqual({ finite: false, badPath: 'x', step: 3 });
    tf.dispose([...g.values(), ...out.grads.values()]);
  });
});
