/**
 * ‖∂L/∂h_t‖ over time for each network, at initialisation and after training on the adding problem.
 */
import { Rng } from '@strand/base';
import { gradientNormsThroughTime, rnn } from '@strand/cells';
import { namedParameters } from '@strand/core';
import { adam, clipGradNorm } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { addingBatch } from './adding-task.js';
import { createNetwork, lastStepLoss, type Network, type NetworkName } from './networks.js';

export interface GradientProfile {
  readonly network: NetworkName;
  readonly phase: 'init' | 'trained';
  /** Training steps taken before the measurement. */
  readonly step: number;
  readonly loss: number;
  /** norms[t] = ‖∂L/∂h_t‖, t = 0..T-1. */
  readonly norms: readonly number[];
}

export interface ExperimentConfig {
  readonly networks: readonly NetworkName[];
  readonly time: number;
  readonly units: number;
  readonly batch: number;
  readonly steps: number;
  readonly learningRate: number;
  readonly seed: number;
  /** Stop training a network when this many seconds have passed (the --minutes budget, shared). */
  readonly deadline: number;
  readonly onStep?: (network: NetworkName, step: number, loss: number) => void;
}

export interface NetworkResult {
  readonly network: NetworkName;
  readonly init: GradientProfile;
  readonly trained: GradientProfile;
  /** Mean squared error on a fresh held-out batch after training. */
  readonly heldOutMse: number;
  readonly stepsTrained: number;
}

async function profile(
  net: Network,
  probe: { inputs: tf.Tensor3D; targets: tf.Tensor2D },
  phase: 'init' | 'trained',
  step: number,
): Promise<GradientProfile> {
  const { loss, norms } = await gradientNormsThroughTime(net.cell, probe.inputs, (outputs) =>
    lastStepLoss(net, outputs, probe.targets),
  );
  return { network: net.name, phase, step, loss, norms };
}

/** One network: profile at init, train with Adam and clipping, profile again, evaluate held out. */
export async function runNetwork(name: NetworkName, config: ExperimentConfig): Promise<NetworkResult> {
  const net = createNetwork(name, config.units, config.seed);
  const params = namedParameters(net.params);
  const rng = new Rng(config.seed);
  // The same probe batch before and after training, so the two curves are comparable.
  const probe = addingBatch(config.batch, config.time, new Rng(config.seed + 1));
  const heldOut = addingBatch(256, config.time, new Rng(config.seed + 2));
  const optimizer = adam({ lr: config.learningRate });
  try {
    const init = await profile(net, probe, 'init', 0);
    let step = 0;
    while (step < config.steps && performance.now() / 1000 < config.deadline) {
      const batch = addingBatch(config.batch, config.time, rng);
      const lossValue = tf.tidy(() => {
        const vars = [...params.values()];
        const { value, grads } = tf.variableGrads(() => {
          const { outputs } = rnn(net.cell, batch.inputs);
          return lastStepLoss(net, outputs as tf.Tensor3D, batch.targets);
        }, vars);
        const byPath = new Map([...params].map(([path, v]) => [path, grads[v.name]!] as const));
        const clipped = clipGradNorm(byPath, 1.0);
        optimizer.apply(params, clipped.grads);
        return value;
      });
      step++;
      const l = (await lossValue.data())[0]!;
      lossValue.dispose();
      tf.dispose([batch.inputs, batch.targets]);
      config.onStep?.(name, step, l);
    }
    const trained = await profile(net, probe, 'trained', step);
    const mse = tf.tidy(() => {
      const { outputs } = rnn(net.cell, heldOut.inputs);
      return lastStepLoss(net, outputs as tf.Tensor3D, heldOut.targets);
    });
    const heldOutMse = (await mse.data())[0]!;
    mse.dispose();
    return { network: name, init, trained, heldOutMse, stepsTrained: step };
  } finally {
    optimizer.dispose();
    tf.dispose([probe.inputs, probe.targets, heldOut.inputs, heldOut.targets, ...params.values()]);
  }
}
