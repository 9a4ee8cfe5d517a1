/**
 * Stochastic gradient descent with PyTorch's rule (torch.optim.SGD, 1.13, `_single_tensor_sgd`):
 *
 *   d = g + weightDecay * p
 *   buf = d                                   (first step)
 *   buf = momentum * buf + (1 - dampening) * d (later steps)
 *   d = nesterov ? d + momentum * buf : buf    (when momentum != 0)
 *   p = p - lr * d
 */
import { ConfigError, nonNegativeNumber } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { createOptimizer, type DecayFilter, type RuleInput, s } from './base.js';
import type { Optimizer } from './types.js';

export interface SgdConfig {
  readonly lr: number;
  /** Momentum factor; default 0 (plain SGD, no buffer). */
  readonly momentum?: number;
  /** Dampening of the momentum; default 0. */
  readonly dampening?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0. Default false. */
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient (coupled); default 0. */
  readonly weightDecay?: number;
  /** Parameters that weight decay applies to; default all (see DecayFilter). Not saved in state(). */
  readonly weightDecayFilter?: DecayFilter;
}

type SgdHyper = { momentum: number; dampening: number; nesterov: boolean; weightDecay: number };

function check(c: Record<string, unknown>): SgdHyper {
  const momentum = nonNegativeNumber(c['momentum'] ?? 0, 'momentum');
  const dampening = nonNegativeNumber(c['dampening'] ?? 0, 'dampening');
  const weightDecay = nonNegativeNumber(c['weightDecay'] ?? 0, 'weightDecay');
  const nesterov = c['nesterov'] ?? false;
  if (typeof nesterov !== 'boolean')
    throw new ConfigError(`nesterov must be a boolean, received ${String(nesterov)}`, 'nesterov');
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new ConfigError(
      `nesterov momentum requires momentum > 0 and dampening 0, received momentum ${momentum}, dampening ${dampening}`,
      'nesterov',
    );
  }
  return { momentum, dampening, nesterov, weightDecay };
}

function rule(c: SgdHyper, { param, grad, buffers, lr, decay }: RuleInput) {
  let d = decay && c.weightDecay !== 0 ? tf.add(grad, tf.mul(param, s(c.weightDecay))) : grad;
  const out: Record<string, tf.Tensor> = {};
  if (c.momentum !== 0) {
    const prev = buffers['momentum_buffer'];
    const buf =
      prev === undefined ? tf.clone(d) : tf.add(tf.mul(prev, s(c.momentum)), tf.mul(d, s(1 - c.dampening)));
    out['momentum_buffer'] = buf;
    d = c.nesterov ? tf.add(d, tf.mul(buf, s(c.momentum))) : buf;
  }
  return { param: tf.sub(param, tf.mul(d, s(lr))), buffers: out };
}

/** torch.optim.SGD. Buffer: `momentum_buffer.<path>` (when momentum != 0). */
export function sgd(config: SgdConfig): Optimizer {
  const lr = nonNegativeNumber(config.lr, 'lr');
  return createOptimizer({
    kind: 'sgd',
    lr,
    config: check(config as unknown as Record<string, unknown>),
    bufferNames: ['momentum_buffer'],
    validate: check,
    rule,
    decayFilter: config.weightDecayFilter,
  });
}
