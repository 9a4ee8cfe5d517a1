/**
 * The numbers behind the "look inside" views. Each function returns plain arrays (the tensors are
 * freed before it returns) for charts.ts to draw.
 */
import { encoderLayer, learnedPositions, sinusoidalEncoding, type TransformerLm } from '@strand/attention';
import {
  type Cell,
  gradientNormsThroughTime,
  gru,
  type LstmWeights,
  lstm,
  rnn,
  simpleRNN,
} from '@strand/cells';
import { deriveSeed, disposeParameters, initLinear, linear, type Params } from '@strand/core';
import { embed } from '@strand/embeddings';
import type { LanguageModel } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';

/** A cell of `kind` that computes with the given weights (a language model's first layer). */
function cellWith(kind: string, inputSize: number, units: number, weights: Params): Cell {
  const fresh =
    kind === 'lstm'
      ? lstm({ inputSize, units, seed: 0 })
      : kind === 'gru'
        ? gru({ inputSize, units, seed: 0 })
        : simpleRNN({ inputSize, units, seed: 0 });
  disposeParameters(fresh.params as Params);
  return { ...fresh, params: weights } as Cell;
}

function embedded(lm: LanguageModel, ids: readonly number[]): tf.Tensor3D {
  return embed(lm.params.embedding, tf.tensor2d([ids as number[]], [1, ids.length], 'int32')) as tf.Tensor3D;
}

/** h_t of the first recurrent layer over `ids`: values[unit][t] for the first `maxUnits` units. */
export async function hiddenStates(
  lm: LanguageModel,
  ids: readonly number[],
  maxUnits = 32,
): Promise<number[][]> {
  const cfg = lm.config;
  const units = cfg.units;
  const dim = cfg.embeddingDim ?? units;
  const h = tf.tidy(() => {
    const cell = cellWith(cfg.cell ?? 'lstm', dim, units, lm.params.rnn[0]!);
    const { outputs } = rnn(cell, embedded(lm, ids));
    return tf.transpose(tf.reshape(outputs, [ids.length, units])); // [units, T]
  });
  const rows = (await h.array()) as number[][];
  h.dispose();
  return rows.slice(0, maxUnits);
}

export const GATES = ['input', 'forget', 'candidate', 'output'] as const;

/**
 * The LSTM's gate activations over `ids` (first layer): gates[g][unit][t], for the first `maxUnits`
 * units; input, forget and output are sigmoids in [0, 1], the candidate a tanh in [-1, 1].
 * The same arithmetic as @strand/cells' lstmStep (gate order i, f, g, o).
 */
export async function lstmGates(
  lm: LanguageModel,
  ids: readonly number[],
  maxUnits = 8,
): Promise<number[][][]> {
  const w = lm.params.rnn[0] as unknown as LstmWeights;
  const units = lm.config.units;
  const stacked = tf.tidy(() => {
    const x = tf.reshape(embedded(lm, ids), [ids.length, -1]) as tf.Tensor2D; // [T, E]
    const xz = tf.matMul(x, w.inputKernel); // [T, 4H]
    let h = tf.zeros([1, units]) as tf.Tensor2D;
    let c = tf.zeros([1, units]) as tf.Tensor2D;
    const steps: tf.Tensor[] = [];
    for (let t = 0; t < ids.length; t++) {
      let z = tf.add(tf.slice(xz, [t, 0], [1, -1]), tf.matMul(h, w.recurrentKernel));
      if (w.bias) z = tf.add(z, w.bias);
      const [zi, zf, zg, zo] = tf.split(z, 4, 1) as tf.Tensor2D[];
      const i = tf.sigmoid(zi!);
      const f = tf.sigmoid(zf!);
      const g = tf.tanh(zg!);
      const o = tf.sigmoid(zo!);
      c = tf.add(tf.mul(f, c), tf.mul(i, g));
      h = tf.mul(o, tf.tanh(c));
      steps.push(tf.concat([i, f, g, o], 0)); // [4, H]
    }
    return tf.stack(steps, 2); // [4, H, T]
  });
  const all = (await stacked.array()) as number[][][];
  stacked.dispose();
  return all.map((g) => g.slice(0, maxUnits));
}

export const NETWORKS = [
  {
    name: 'tanh RNN',
    make: (s: number) =>
      simpleRNN({ inputSize: 2, units: 32, activation: 'tanh', initScheme: 'pytorch', seed: s }),
  },
  {
    name: 'ReLU RNN, identity init',
    make: (s: number) =>
      simpleRNN({ inputSize: 2, units: 32, activation: 'relu', identityRecurrent: 1, seed: s }),
  },
  { name: 'GRU', make: (s: number) => gru({ inputSize: 2, units: 32, initScheme: 'pytorch', seed: s }) },
  { name: 'LSTM', make: (s: number) => lstm({ inputSize: 2, units: 32, initScheme: 'pytorch', seed: s }) },
] as const;

/**
 * ‖∂L/∂h_t‖ against t for the four networks at initialisation, on one batch of the adding problem
 * (Hochreiter & Schmidhuber 1997): the loss reads only the last step, so the norm at early t is how
 * much gradient survives the trip back through time.
 */
export async function vanishingGradients(time = 60, seed = 0): Promise<{ name: string; norms: number[] }[]> {
  const out: { name: string; norms: number[] }[] = [];
  for (const net of NETWORKS) {
    const cell = net.make(deriveSeed(seed, net.name)) as Cell;
    const head = initLinear({ inputSize: 32, outputSize: 1, seed: deriveSeed(seed, net.name, 'head') });
    const inputs = tf.tidy(() => {
      const values = tf.randomUniform([8, time, 1], 0, 1, 'float32', seed);
      const marks = tf.oneHot(
        tf.tensor1d(
          [0, 1, 2, 3, 4, 5, 6, 7].map((b) => (b * 7) % 10),
          'int32',
        ),
        time,
      );
      return tf.concat([values, tf.expandDims(marks, 2)], 2) as tf.Tensor3D; // [8, T, 2]
    });
    const { norms } = await gradientNormsThroughTime(cell, inputs, (outputs) => {
      const last = tf.reshape(tf.slice(outputs, [0, time - 1, 0], [-1, 1, -1]), [8, 32]);
      return tf.mean(tf.square(linear(head, last))) as tf.Scalar;
    });
    out.push({ name: net.name, norms });
    inputs.dispose();
    disposeParameters(cell.params as Params);
    disposeParameters(head);
  }
  return out;
}

/** Every head's attention weights over `ids`: weights[layer][head][query][key] (causal). */
export async function transformerAttention(
  lm: TransformerLm,
  ids: readonly number[],
): Promise<number[][][][]> {
  const c = lm.config;
  const T = Math.min(ids.length, c.contextLength);
  const per = tf.tidy(() => {
    let x = tf.gather(
      lm.params.embedding,
      tf.tensor2d([ids.slice(0, T) as number[]], [1, T], 'int32'),
    ) as tf.Tensor3D;
    if (lm.params.positions) x = tf.add(x, learnedPositions(lm.params.positions, T, 0));
    else if (c.positions === 'sinusoidal') x = tf.add(x, sinusoidalEncoding(T, c.dModel, 0));
    const weights: tf.Tensor[] = [];
    for (const block of lm.params.blocks) {
      const r = encoderLayer({ spec: lm.layerSpec, params: block }, x, {
        causal: true,
        training: false,
        ...(c.positions === 'rope' ? { rope: { style: c.ropeStyle } } : {}),
      });
      x = r.output;
      weights.push(tf.squeeze(r.weights, [0])); // [heads, T, T]
    }
    return tf.stack(weights); // [layers, heads, T, T]
  });
  const out = (await per.array()) as number[][][][];
  per.dispose();
  return out;
}
