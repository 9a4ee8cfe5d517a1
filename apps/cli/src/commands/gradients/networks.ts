/**
 * The four recurrent networks the gradients lesson compares, each a cell plus a linear read-out of
 * the last hidden state: the tanh Elman RNN, the identity-initialised ReLU RNN (IRNN, Le et al. 2015),
 * the GRU (Cho et al. 2014) and the LSTM (Hochreiter & Schmidhuber 1997).
 */
import { type Cell, gru, lstm, simpleRNN } from '@strand/cells';
import { deriveSeed, initLinear, type LinearParams, linear } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';

export const NETWORKS = ['tanh-rnn', 'irnn', 'gru', 'lstm'] as const;
export type NetworkName = (typeof NETWORKS)[number];

export const NETWORK_LABELS: Readonly<Record<NetworkName, string>> = {
  'tanh-rnn': 'tanh RNN',
  irnn: 'ReLU RNN, identity init',
  gru: 'GRU',
  lstm: 'LSTM',
};

export interface Network {
  readonly name: NetworkName;
  readonly cell: Cell;
  readonly head: LinearParams;
  readonly params: { readonly cell: Cell['params']; readonly head: LinearParams };
}

export function createNetwork(name: NetworkName, units: number, seed: number): Network {
  const s = deriveSeed(seed, name);
  const inputSize = 2;
  const cell: Cell =
    name === 'tanh-rnn'
      ? simpleRNN({ inputSize, units, activation: 'tanh', initScheme: 'pytorch', seed: s })
      : name === 'irnn'
        ? simpleRNN({ inputSize, units, activation: 'relu', identityRecurrent: 1, seed: s })
        : name === 'gru'
          ? gru({ inputSize, units, initScheme: 'pytorch', seed: s })
          : lstm({ inputSize, units, initScheme: 'pytorch', seed: s });
  const head = initLinear({ inputSize: units, outputSize: 1, seed: deriveSeed(s, 'head') });
  return { name, cell, head, params: { cell: cell.params, head } };
}

/** Mean squared error of the read-out of the last step. outputs: [batch, time, units]; targets: [batch, 1]. */
export function lastStepLoss(network: Network, outputs: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  const [batch, time, units] = outputs.shape;
  const last = tf.reshape(tf.slice(outputs, [0, time - 1, 0], [batch, 1, units]), [batch, units]); // [B, H]
  return tf.mean(tf.square(tf.sub(linear(network.head, last), targets))) as tf.Scalar;
}
