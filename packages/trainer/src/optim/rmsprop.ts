/**
 * RMSProp with PyTorch's rule (torch.optim.RMSprop, 1.13, `_single_tensor_rmsprop`):
 *
 *   g = g + weightDecay * p
 *   sq = alpha * sq + (1 - alpha) * g * g
 *   centred: ga = alpha * ga + (1 - alpha) * g;  avg = sqrt(sq - ga * ga) + eps
 *   plain:   avg = sqrt(sq) + eps
 *   momentum > 0: buf = momentum * buf + g / avg;  p = p - lr * buf
 *   otherwise:    p = p - lr * g / avg
 *
 * Note eps is added outside the square root (Keras/tfjs add it inside), and PyTorch's default lr is 0.01.
 */
import { ConfigError, nonNegativeNumber, positiveNumber, rate } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { createOptimizer, type DecayFilter, type RuleInput, s } from './base.js';
import type { Optimizer } from './types.js';

export interface RmspropConfig {
  readonly lr: number;
  /** Smoothing constant of the squared-gradient average; default 0.99. */
  readonly alpha?: number;
  /** Default 1e-8. */
  readonly eps?: number;
  /** Default 0. */
  readonly weightDecay?: number;
  /** Default 0. */
  readonly momentum?: number;
  /** Normalise by the estimated variance (centred RMSProp, Graves 2013); default false. */
  readonly centered?: boolean;
  /** Parameters that weight decay applies to; default all (see DecayFilter). Not saved in state(). */
  readonly weightDecayFilter?: DecayFilter;
}

type RmsHyper = { alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean };

function check(c: Record<string, unknown>): RmsHyper {
  const centered = c['centered'] ?? false;
  if (typeof centered !== 'boolean')
    throw new ConfigError(`centered must be a boolean, received ${String(centered)}`, 'centered');
  return {
    alpha: rate(c['alpha'] ?? 0.99, 'alpha'),
    eps: positiveNumber(c['eps'] ?? 1e-8, 'eps'),
    weightDecay: nonNegativeNumber(c['weightDecay'] ?? 0, 'weightDecay'),
    momentum: nonNegativeNumber(c['momentum'] ?? 0, 'momentum'),
    centered,
  };
}

function rule(c: RmsHyper, { param, grad, buffers, lr, decay }: RuleInput) {
  const g = decay && c.weightDecay !== 0 ? tf.add(grad, tf.mul(param, s(c.weightDecay))) : grad;
  const sq0 = buffers['square_avg'] ?? tf.zerosLike(g);
  const sq = tf.add(tf.mul(sq0, s(c.alpha)), tf.mul(tf.mul(g, g), s(1 - c.alpha)));
  const out: Record<string, tf.Tensor> = { square_avg: sq };
  let avg: tf.Tensor;
  if (c.centered) {
    const ga0 = buffers['grad_avg'] ?? tf.zerosLike(g);
    const ga = tf.add(tf.mul(ga0, s(c.alpha)), tf.mul(g, s(1 - c.alpha)));
    out['grad_avg'] = ga;
    avg = tf.sqrt(tf.sub(sq, tf.mul(ga, ga)));
  } else {
    avg = tf.sqrt(sq);
  }
  avg = tf.add(avg, s(c.eps));
  if (c.momentum > 0) {
    const buf0 = buffers['momentum_buffer'] ?? tf.zerosLike(g);
    const buf = tf.add(tf.mul(buf0, s(c.momentum)), tf.div(g, avg));
    out['momentum_buffer'] = buf;
    return { param: tf.sub(param, tf.mul(buf, s(lr))), buffers: out };
  }
  return { param: tf.sub(param, tf.mul(tf.div(g, avg), s(lr))), buffers: out };
}

/** torch.optim.RMSprop. Buffers: `square_avg`, `grad_avg` (centred), `momentum_buffer` (momentum > 0). */
export function rmsprop(config: RmspropConfig): Optimizer {
  return createOptimizer({
    kind: 'rmsprop',
    lr: nonNegativeNumber(config.lr, 'lr'),
    config: check(config as unknown as Record<string, unknown>),
    bufferNames: ['square_avg', 'grad_avg', 'momentum_buffer'],
    validate: check,
    rule,
    decayFilter: config.weightDecayFilter,
  });
}
