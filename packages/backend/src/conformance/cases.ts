import * as tf from '@tensorflow/tfjs-core';
import { seeded, seededInts } from './inputs.js';

/**
 * One conformance case: a function of float inputs whose value and gradients are compared across
 * backends. `inputs` are made fresh on the backend under test; `f` returns a scalar loss (so every
 * input gets a gradient) plus any forward outputs worth comparing.
 */
export interface ConformanceCase {
  readonly name: string;
  readonly inputs: () => tf.Tensor[];
  readonly f: (...xs: tf.Tensor[]) => { loss: tf.Scalar; outputs: tf.Tensor[] };
  /** |a - b| <= atol + rtol * |b|, b the cpu value. */
  readonly atol: number;
  readonly rtol: number;
}

const weighted = (y: tf.Tensor, seed: number): tf.Scalar =>
  tf.sum(tf.mul(y, seeded(y.shape, seed))) as tf.Scalar;

function matMulCase(
  name: string,
  a: number[],
  b: number[],
  transposeA = false,
  transposeB = false,
): ConformanceCase {
  return {
    name,
    inputs: () => [seeded(a, 11, 0.5), seeded(b, 12, 0.5)],
    f: (x, w) => {
      const y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D, transposeA, transposeB);
      return { loss: weighted(y, 13), outputs: [y] };
    },
    atol: 2e-4,
    rtol: 2e-4,
  };
}

function unaryCase(name: string, op: (x: tf.Tensor) => tf.Tensor, scale = 2): ConformanceCase {
  return {
    name,
    inputs: () => [seeded([32, 257], 21, scale)],
    f: (x) => {
      const y = op(x!);
      return { loss: weighted(y, 22), outputs: [y] };
    },
    atol: 1e-5,
    rtol: 1e-4,
  };
}

/** The ops and gradients Strand's packages run, at the shapes they run them. */
export const conformanceCases: readonly ConformanceCase[] = [
  // One LSTM step at B=32, E=64, H=256: [x, h] [32, 320] x [320, 4H]; and its backward shapes.
  matMulCase('matMul [32,320]x[320,1024]', [32, 320], [320, 1024]),
  matMulCase('matMul [256,320]x[320,1024] (input projection, time-batched)', [256, 320], [320, 1024]),
  matMulCase('matMul [32,1024]x[320,1024]^T (dx of a step)', [32, 1024], [320, 1024], false, true),
  matMulCase('matMul [32,320]^T x [32,1024] (dW of a step)', [32, 320], [32, 1024], true, false),
  {
    name: 'batch matMul [4,16,32]x[4,32,8]',
    inputs: () => [seeded([4, 16, 32], 31), seeded([4, 32, 8], 32)],
    f: (a, b) => {
      const y = tf.matMul(a!, b!);
      return { loss: weighted(y, 33), outputs: [y] };
    },
    atol: 1e-4,
    rtol: 1e-4,
  },
  unaryCase('tanh', tf.tanh),
  unaryCase('sigmoid', tf.sigmoid),
  unaryCase('relu', tf.relu),
  {
    name: 'softmax',
    inputs: () => [seeded([32, 65], 41, 3)],
    f: (x) => {
      const y = tf.softmax(x!);
      return { loss: weighted(y, 42), outputs: [y] };
    },
    atol: 1e-6,
    rtol: 1e-4,
  },
  {
    name: 'log-softmax cross-entropy (vocabulary 65)',
    inputs: () => [seeded([32, 65], 51, 3)],
    f: (logits) => {
      const labels = tf.oneHot(seededInts(32, 52, 65), 65);
      const loss = tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits!)), -1))) as tf.Scalar;
      return { loss, outputs: [tf.logSoftmax(logits!)] };
    },
    atol: 1e-5,
    rtol: 1e-4,
  },
  {
    name: 'gather (embedding lookup) and its gradient',
    inputs: () => [seeded([65, 64], 61)],
    f: (table) => {
      const y = tf.gather(table!, seededInts(32 * 8, 62, 65));
      return { loss: weighted(y, 63), outputs: [y] };
    },
    atol: 1e-5,
    rtol: 1e-4,
  },
  {
    name: 'concat, slice, split',
    inputs: () => [seeded([32, 64], 71), seeded([32, 256], 72)],
    f: (x, h) => {
      const xh = tf.concat([x!, h!], 1); // [32, 320]
      const [a, b, c, d] = tf.split(tf.slice(xh, [0, 0], [32, 256]), 4, 1);
      const y = tf.concat([tf.tanh(a!), tf.sigmoid(b!), c!, tf.relu(d!)], 1);
      return { loss: weighted(y, 73), outputs: [y] };
    },
    atol: 1e-5,
    rtol: 1e-4,
  },
  {
    name: 'transpose [32,64,16] -> [64,32,16]',
    inputs: () => [seeded([32, 64, 16], 81)],
    f: (x) => {
      const y = tf.transpose(x!, [1, 0, 2]);
      return { loss: weighted(y, 82), outputs: [y] };
    },
    atol: 1e-6,
    rtol: 1e-5,
  },
  {
    name: 'where (masking padded steps)',
    inputs: () => [seeded([32, 256], 91), seeded([32, 256], 92)],
    f: (a, b) => {
      const mask = tf.greater(seeded([32, 256], 93), 0);
      const y = tf.where(mask, a!, b!);
      return { loss: weighted(y, 94), outputs: [y] };
    },
    atol: 1e-6,
    rtol: 1e-5,
  },
  {
    name: 'sum and mean over axes',
    inputs: () => [seeded([8, 16, 32], 101)],
    f: (x) => {
      const s0 = tf.sum(x!, 0);
      const m1 = tf.mean(x!, 1);
      const s2 = tf.sum(x!, [1, 2]);
      const loss = tf.addN([weighted(s0, 102), weighted(m1, 103), weighted(s2, 104)]) as tf.Scalar;
      return { loss, outputs: [s0, m1, s2] };
    },
    atol: 1e-4,
    rtol: 1e-4,
  },
  {
    name: 'layer-norm moments over the last axis',
    inputs: () => [seeded([32, 256], 111, 2)],
    f: (x) => {
      const { mean, variance } = tf.moments(x!, -1, true);
      const y = tf.div(tf.sub(x!, mean), tf.sqrt(tf.add(variance, 1e-5)));
      return { loss: weighted(y, 112), outputs: [y, mean, variance] };
    },
    atol: 1e-4,
    rtol: 1e-3,
  },
];
