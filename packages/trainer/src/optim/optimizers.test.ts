import { ConfigError, InputError, ShapeError } from '@strand/base';
import { expectClose, expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Nested } from '../../test/fixtures.js';
import { adam, adamw } from './adam.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';
import type { Optimizer } from './types.js';

interface OptCase {
  kind: 'sgd' | 'adam' | 'adamw' | 'rmsprop';
  name: string;
  kwargs: Record<string, unknown>;
  lrChanges: Record<string, number> | null;
  matricesOnlyDecay: boolean;
  trajectory: Record<string, Nested>[];
}
interface OptFixture {
  init: Record<string, Nested>;
  grads: Record<string, Nested>[];
  skip: [number, string];
  cases: OptCase[];
}
const F = fixture<OptFixture>('optimizers');

/** PyTorch's keyword arguments as this package's options. */
function build(c: OptCase): Optimizer {
  const k = c.kwargs;
  const common = {
    lr: k['lr'] as number,
    ...(k['weight_decay'] !== undefined ? { weightDecay: k['weight_decay'] as number } : {}),
    // PyTorch's parameter groups: the vector 'b' gets weight_decay 0
    ...(c.matricesOnlyDecay
      ? { weightDecayFilter: (_: string, shape: readonly number[]) => shape.length >= 2 }
      : {}),
  };
  switch (c.kind) {
    case 'sgd':
      return sgd({
        ...common,
        ...(k['momentum'] !== undefined ? { momentum: k['momentum'] as number } : {}),
        ...(k['dampening'] !== undefined ? { dampening: k['dampening'] as number } : {}),
        ...(k['nesterov'] !== undefined ? { nesterov: k['nesterov'] as boolean } : {}),
      });
    case 'adam':
    case 'adamw':
      return (c.kind === 'adam' ? adam : adamw)({
        ...common,
        ...(k['betas'] !== undefined ? { betas: k['betas'] as [number, number] } : {}),
        ...(k['eps'] !== undefined ? { eps: k['eps'] as number } : {}),
        ...(k['amsgrad'] !== undefined ? { amsgrad: k['amsgrad'] as boolean } : {}),
      });
    case 'rmsprop':
      return rmsprop({
        ...common,
        ...(k['alpha'] !== undefined ? { alpha: k['alpha'] as number } : {}),
        ...(k['eps'] !== undefined ? { eps: k['eps'] as number } : {}),
        ...(k['momentum'] !== undefined ? { momentum: k['momentum'] as number } : {}),
        ...(k['centered'] !== undefined ? { centered: k['centered'] as boolean } : {}),
      });
  }
}

function makeParams(): Map<string, tf.Variable> {
  return new Map(
    Object.entries(F.init).map(([k, v]) => [k, tf.tidy(() => tf.variable(tf.tensor(v as number[]), true))]),
  );
}

function gradsAt(step: number): Map<string, tf.Tensor> {
  const g = new Map<string, tf.Tensor>();
  for (const [k, v] of Object.entries(F.grads[step]!)) {
    if (step === F.skip[0] && k === F.skip[1]) continue; // PyTorch's .grad = None
    g.set(k, tf.tensor(v as number[]));
  }
  return g;
}

async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

function runSteps(
  opt: Optimizer,
  params: Map<string, tf.Variable>,
  c: OptCase,
  from: number,
  to: number,
): void {
  for (let s = from; s < to; s++) {
    const change = c.lrChanges?.[String(s)];
    if (change !== undefined) opt.learningRate = change;
    const g = gradsAt(s);
    opt.apply(params, g);
    tf.dispose([...g.values()]);
  }
}

describe.each(testBackends())('optimizers on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });
  let live: { dispose(): void }[] = [];
  afterEach(() => {
    for (const x of live) x.dispose();
    live = [];
  });

  it.each(F.cases.map((c) => [c.name, c] as const))('%s matches PyTorch after every step', async (_, c) => {
    const params = makeParams();
    const opt = build(c);
    live.push(opt, ...params.values());
    for (let s = 0; s < c.trajectory.length; s++) {
      runSteps(opt, params, c, s, s + 1);
      for (const [k, p] of params)
        expectClose(await read(p), (c.trajectory[s]![k] as number[]).flat(), 5e-7, 0);
    }
    expect(opt.state().step).toBe(c.trajectory.length);
    // 'b' missed one update, so its own step (Adam's bias correction) lags by one.
    expect(opt.state().steps).toEqual({ w: c.trajectory.length, b: c.trajectory.length - 1 });
  });

  it('takes no tensors per step once its buffers exist', async () => {
    for (const c of F.cases) {
      const params = makeParams();
      const opt = build(c);
      runSteps(opt, params, c, 0, 1);
      await expectNoLeakedTensors(() => runSteps(opt, params, c, 1, 4));
      opt.dispose();
      for (const p of params.values()) p.dispose();
    }
  });
});

describe('optimizer state', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it.each(F.cases.map((c) => [c.name, c] as const))(
    '%s: state()/restore() mid-run continues identically',
    (_, c) => {
      const a = makeParams();
      const optA = build(c);
      runSteps(optA, a, c, 0, 6);
      const expected = [...a.values()].map((p) => Array.from(p.dataSync()));

      const b = makeParams();
      const optB = build(c);
      runSteps(optB, b, c, 0, 4);
      const saved = optB.state();
      // A fresh optimizer, as after a restart: copies of the state's tensors and of the weights.
      const copies = new Map([...saved.tensors].map(([k, t]) => [k, t.clone()]));
      const savedCopy = { ...saved, tensors: copies };
      const weights = [...b.values()].map((p) => p.clone());
      optB.dispose();
      const optC = build({ ...c, kwargs: { ...c.kwargs, lr: 123 } });
      optC.restore(savedCopy);
      tf.dispose([...copies.values()]);
      const c2 = new Map([...b.keys()].map((k, i) => [k, tf.variable(weights[i]!, true)]));
      runSteps(optC, c2, c, 4, 6);
      // Bit-identical: the same float32 ops on the same values.
      expect([...c2.values()].map((p) => Array.from(p.dataSync()))).toEqual(expected);
      for (const key of saved.tensors.keys()) expect(key).toMatch(/^[a-z_]+\.(w|b)$/);
      optA.dispose();
      optC.dispose();
      tf.dispose([...a.values(), ...b.values(), ...c2.values(), ...weights]);
    },
  );

  it('names buffers <buffer>.<path> and sets the learning rate', () => {
    const p = new Map([['lm.head.kernel', tf.variable(tf.ones([2, 2]))]]);
    const g = new Map([['lm.head.kernel', tf.ones([2, 2])]]);
    const opt = adam({ lr: 0.1, amsgrad: true });
    opt.apply(p, g);
    expect([...opt.state().tensors.keys()]).toEqual([
      'exp_avg.lm.head.kernel',
      'exp_avg_sq.lm.head.kernel',
      'max_exp_avg_sq.lm.head.kernel',
    ]);
    expect(opt.state().config).toMatchObject({
      lr: 0.1,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: true,
    });
    opt.learningRate = 0.5;
    expect(opt.learningRate).toBe(0.5);
    expect(opt.state().config['lr']).toBe(0.5);
    expect(() => {
      opt.learningRate = Number.NaN;
    }).toThrow(ConfigError);
    opt.dispose();
    tf.dispose([...p.values(), ...g.values()]);
  });

  it('rejects bad options with ConfigError naming the field', () => {
    expect(() => sgd({ lr: -1 })).toThrow(/lr must be a finite number >= 0/);
    expect(() => sgd({ lr: 0.1, nesterov: true })).toThrow(/nesterov momentum requires momentum > 0/);
    expect(() => sgd({ lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(ConfigError);
    expect(() => adam({ lr: 0.1, betas: [1, 0.9] })).toThrow(/betas\[0\] must be a number in \[0, 1\)/);
    expect(() => adamw({ lr: 0.1, eps: 0 })).toThrow(/eps must be a finite number > 0/);
    expect(() => rmsprop({ lr: 0.1, alpha: 1.5 })).toThrow(/alpha/);
    expect(() => rmsprop({ lr: 0.1, momentum: -1 })).toThrow(/momentum/);
    try {
      adam({ lr: 0.1, weightDecay: -0.1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).field).toBe('weightDecay');
    }
  });

  it('rejects mismatched gradients and states, leaving the parameters untouched', () => {
    const p = new Map([
      ['a', tf.variable(tf.ones([2, 3]))],
      ['b', tf.variable(tf.ones([3]))],
    ]);
    const opt = sgd({ lr: 0.1, momentum: 0.9 });
    const wrong = new Map([
      ['a', tf.ones([2, 3])],
      ['b', tf.ones([2])],
    ]);
    expect(() => opt.apply(p, wrong)).toThrow(ShapeError);
    expect(() => opt.apply(p, wrong)).toThrow("gradient 'b': expected shape [3], received [2]");
    expect(Array.from(p.get('a')!.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(opt.state().step).toBe(0);
    const stray = new Map([['c', tf.ones([1])]]);
    expect(() => opt.apply(p, stray)).toThrow(/gradient 'c'/);
    expect(() => opt.restore({ ...adam({ lr: 1 }).state() })).toThrow(InputError);
    expect(() =>
      opt.restore({
        kind: 'sgd',
        step: 1,
        config: { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 },
        tensors: new Map([['velocity.a', tf.ones([2, 3])]]),
      }),
    ).toThrow(/velocity\.a/);
    // A restored buffer of the wrong shape is caught at the next update.
    const bad = tf.ones([4]);
    opt.restore({
      kind: 'sgd',
      step: 1,
      config: { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 },
      tensors: new Map([['momentum_buffer.b', bad]]),
    });
    const good = new Map([['b', tf.ones([3])]]);
    expect(() => opt.apply(p, good)).toThrow(
      "optimizer buffer 'momentum_buffer.b': expected shape [3], received [4]",
    );
    opt.dispose();
    expect(() => opt.apply(p, good)).toThrow(/disposed/);
    tf.dispose([...p.values(), ...wrong.values(), ...stray.values(), ...good.values(), bad]);
  });

  it('dispose() frees every buffer', () => {
    const p = new Map([['w', tf.variable(tf.zeros([4]))]]);
    const g = new Map([['w', tf.ones([4])]]);
    const before = tf.memory().numTensors;
    const opt = rmsprop({ lr: 0.01, centered: true, momentum: 0.9 });
    opt.apply(p, g);
    expect(tf.memory().numTensors).toBe(before + 3); // square_avg, grad_avg, momentum_buffer
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...p.values(), ...g.values()]);
  });
});
