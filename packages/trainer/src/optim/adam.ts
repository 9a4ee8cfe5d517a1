/**
 * Adam and AdamW with PyTorch's rules (torch.optim.Adam / AdamW, 1.13, `_single_tensor_adam(w)`),
 * per parameter with its own step t:
 *
 *   Adam:  g = g + weightDecay * p            (coupled L2)
 *   AdamW: p = p * (1 - lr * weightDecay)     (decoupled, before the moments)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   vMax = max(vMax, v)                       (AMSGrad; v below is vMax)
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   p = p - (lr / (1 - beta1^t)) * m / denom
 */
import { ConfigError, nonNegativeNumber, positiveNumber, rate } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { createOptimizer, type DecayFilter, type RuleInput, s } from './base.js';
import type { Optimizer } from './types.js';

export interface AdamConfig {
  readonly lr: number;
  /** Decay rates of the first and second moments; default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /** Added to the denominator; default 1e-8. */
  readonly eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 0.01). */
  readonly weightDecay?: number;
  /** Keep the running maximum of the second moment (AMSGrad); default false. */
  readonly amsgrad?: boolean;
  /** Parameters that weight decay applies to; default all (see DecayFilter). Not saved in state(). */
  readonly weightDecayFilter?: DecayFilter;
}

type AdamHyper = {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  decoupled: boolean;
};

function checker(decoupled: boolean, defaultDecay: number) {
  return (c: Record<string, unknown>): AdamHyper => {
    let beta1 = c['beta1'];
    let beta2 = c['beta2'];
    const betas = c['betas'];
    if (betas !== undefined) {
      if (!Array.isArray(betas) || betas.length !== 2) {
        throw new ConfigError(
          `betas must be a pair [beta1, beta2], received ${JSON.stringify(betas)}`,
          'betas',
        );
      }
      [beta1, beta2] = betas as unknown[];
    }
    const amsgrad = c['amsgrad'] ?? false;
    if (typeof amsgrad !== 'boolean')
      throw new ConfigError(`amsgrad must be a boolean, received ${String(amsgrad)}`, 'amsgrad');
    return {
      beta1: rate(beta1 ?? 0.9, 'betas[0]'),
      beta2: rate(beta2 ?? 0.999, 'betas[1]'),
      eps: positiveNumber(c['eps'] ?? 1e-8, 'eps'),
      weightDecay: nonNegativeNumber(c['weightDecay'] ?? defaultDecay, 'weightDecay'),
      amsgrad,
      decoupled,
    };
  };
}

function rule(c: AdamHyper, { param, grad, step, buffers, lr, decay }: RuleInput) {
  let p = param;
  let g = grad;
  if (c.decoupled) {
    if (decay) p = tf.mul(p, s(1 - lr * c.weightDecay));
  } else if (decay && c.weightDecay !== 0) g = tf.add(g, tf.mul(p, s(c.weightDecay)));
  const m0 = buffers['exp_avg'];
  const v0 = buffers['exp_avg_sq'];
  const m = tf.add(m0 === undefined ? tf.zerosLike(g) : tf.mul(m0, s(c.beta1)), tf.mul(g, s(1 - c.beta1)));
  const v = tf.add(
    v0 === undefined ? tf.zerosLike(g) : tf.mul(v0, s(c.beta2)),
    tf.mul(tf.mul(g, g), s(1 - c.beta2)),
  );
  const out: Record<string, tf.Tensor> = { exp_avg: m, exp_avg_sq: v };
  let second = v;
  if (c.amsgrad) {
    const prev = buffers['max_exp_avg_sq'];
    second = tf.maximum(prev ?? tf.zerosLike(v), v);
    out['max_exp_avg_sq'] = second;
  }
  const bias1 = 1 - c.beta1 ** step;
  const bias2Sqrt = Math.sqrt(1 - c.beta2 ** step);
  const denom = tf.add(tf.div(tf.sqrt(second), s(bias2Sqrt)), s(c.eps));
  const next = tf.sub(p, tf.mul(tf.div(m, denom), s(lr / bias1)));
  return { param: next, buffers: out };
}

const BUFFERS = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];

function make(kind: 'adam' | 'adamw', config: AdamConfig, defaultDecay: number): Optimizer {
  const validate = checker(kind === 'adamw', defaultDecay);
  const { betas, ...rest } = config;
  const hyper = validate({ ...rest, ...(betas === undefined ? {} : { betas: [...betas] }) });
  const { decoupled: _, ...saved } = hyper;
  return createOptimizer({
    kind,
    lr: nonNegativeNumber(config.lr, 'lr'),
    config: { ...saved, decoupled: hyper.decoupled },
    bufferNames: BUFFERS,
    validate: (c) => validate({ ...c, decoupled: undefined }),
    rule,
    decayFilter: config.weightDecayFilter,
  });
}

/** torch.optim.Adam (weight decay is an L2 term in the gradient). Buffers: `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`. */
export function adam(config: AdamConfig): Optimizer {
  return make('adam', config, 0);
}

/** torch.optim.AdamW (decoupled weight decay, default 0.01). Buffers as Adam's. */
export function adamw(config: AdamConfig): Optimizer {
  return make('adamw', config, 0.01);
}
