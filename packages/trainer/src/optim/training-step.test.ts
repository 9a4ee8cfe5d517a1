/**
 * The pieces together, against the same eight steps in PyTorch: loss from crossEntropy (ignore
 * index + label smoothing) -> gradients by tfjs autodiff -> clipGradNorm -> AdamW -> warm-up then
 * cosine. Losses, pre-clip norms, rates and the final weights must agree.
 */
import { expectClose, expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, flat, type Nested } from '../../test/fixtures.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import { adamw } from './adam.js';
import { clipGradNormAsync } from './clip.js';
import { checkFiniteGradsAsync } from './finite.js';
import { cosineAnnealing, linearWarmup } from './schedulers.js';

interface TrainFixture {
  x: Nested;
  y: Nested;
  W: Nested;
  b: Nested;
  steps: { loss: number; norm: number; lr: number }[];
  finalW: Nested;
  finalB: Nested;
}
const F = fixture<TrainFixture>('train');

describe.each(testBackends())('a training step on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('matches PyTorch for eight steps without leaking', async () => {
    const x = tf.tensor(F.x as number[]);
    const y = tf.tensor(F.y as number[], undefined, 'int32');
    const params = new Map([
      ['head.kernel', tf.variable(tf.tensor(F.W as number[]))],
      ['head.bias', tf.variable(tf.tensor(F.b as number[]))],
    ]);
    const optimizer = adamw({ lr: 0.05, weightDecay: 0.1 });
    const schedule = linearWarmup(optimizer, {
      warmupSteps: 3,
      startFactor: 0.2,
      after: (o) => cosineAnnealing(o, { tMax: 5 }),
    });
    const step = async (s: number) => {
      const lr = optimizer.learningRate;
      const { value, grads } = tf.variableGrads(() => {
        const logits = tf.add(
          tf.matMul(tf.reshape(x, [6, 4]), params.get('head.kernel')!),
          params.get('head.bias')!,
        );
        return crossEntropy(tf.reshape(logits, [2, 3, 5]), y, {
          labelSmoothing: 0.1,
          checkTargets: false,
        }) as tf.Scalar;
      }, [...params.values()]);
      const byPath = new Map([...params].map(([path, v]) => [path, grads[v.name]!]));
      const { grads: clipped, norm } = await clipGradNormAsync(byPath, 0.5);
      expect((await checkFiniteGradsAsync(clipped, s)).finite).toBe(true);
      optimizer.apply(params, clipped);
      schedule.step();
      const loss = (await value.data())[0]!;
      tf.dispose([value, ...Object.values(grads), ...clipped.values()]);
      return { loss, norm, lr };
    };
    // The first step creates the optimizer's buffers; after that a step must leave nothing behind.
    const got = [await step(0)];
    for (let s = 1; s < F.steps.length; s++) got.push(await expectNoLeakedTensors(() => step(s)));
    for (const [s, want] of F.steps.entries()) {
      expect(Math.abs(got[s]!.loss - want.loss), `loss at step ${s}`).toBeLessThan(2e-6);
      expect(Math.abs(got[s]!.norm - want.norm), `norm at step ${s}`).toBeLessThan(2e-6);
      expect(got[s]!.lr).toBeCloseTo(want.lr, 15);
    }
    expectClose(await params.get('head.kernel')!.data(), flat(F.finalW), 2e-6);
    expectClose(await params.get('head.bias')!.data(), flat(F.finalB), 2e-6);
    optimizer.dispose();
    tf.dispose([x, y, ...params.values()]);
  });
});
