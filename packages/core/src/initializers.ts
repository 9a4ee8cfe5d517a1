import { createRng, type Rng } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from './errors.js';

/**
 * Makes a float32 tensor of `shape` from a seed. The numbers come from core's JavaScript PRNG,
 * so one seed gives the same weights on every backend.
 */
export type Initializer = (shape: readonly number[], seed: number) => tf.Tensor;

export function checkShape(shape: readonly number[], what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ConfigError(`${what} must hold non-negative integers, received [${shape.join(', ')}]`, what);
    }
  }
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Fills a float32 tensor element by element from a seeded stream. */
function fromRng(shape: readonly number[], seed: number, draw: (rng: Rng) => number): tf.Tensor {
  checkShape(shape);
  const rng = createRng(seed);
  const values = new Float32Array(size(shape));
  for (let i = 0; i < values.length; i++) values[i] = draw(rng);
  return tf.tensor(values, [...shape], 'float32');
}

/**
 * Fan-in and fan-out as Keras and PyTorch define them, for Strand's `[in, out]` kernels:
 * rank 0 → 1, 1; rank 1 → n, n; rank 2 `[in, out]` → in, out;
 * rank ≥ 3 `[...receptive, in, out]` → in · receptive, out · receptive.
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = size(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

function positive(value: number, field: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ConfigError(`${field} must be a positive finite number, received ${value}`, field);
  }
  return value;
}

function finite(value: number, field: string): number {
  if (!Number.isFinite(value))
    throw new ConfigError(`${field} must be a finite number, received ${value}`, field);
  return value;
}

function uniformIn(min: number, max: number): Initializer {
  return (shape, seed) => fromRng(shape, seed, (rng) => min + (max - min) * rng.next());
}

function normalWith(mean: number, stddev: number): Initializer {
  return (shape, seed) => fromRng(shape, seed, (rng) => mean + stddev * rng.normal());
}

/** A limit or stddev that depends on the shape's fans; empty shapes give empty tensors. */
function scaled(make: (fans: { fanIn: number; fanOut: number }) => Initializer): Initializer {
  return (shape, seed) => {
    checkShape(shape);
    if (size(shape) === 0) return tf.zeros([...shape], 'float32');
    return make(computeFans(shape))(shape, seed);
  };
}

/**
 * Q of a QR decomposition with a positive diagonal in R (so the result does not depend on a
 * sign convention), by twice-repeated modified Gram-Schmidt. a: rows × cols (row-major), rows ≥ cols.
 */
function orthonormalColumns(a: Float64Array, rows: number, cols: number): Float64Array {
  const q = Float64Array.from(a);
  for (let j = 0; j < cols; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += q[i * cols + k]! * q[i * cols + j]!;
        for (let i = 0; i < rows; i++) q[i * cols + j]! -= dot * q[i * cols + k]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += q[i * cols + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < rows; i++) q[i * cols + j]! /= norm;
  }
  return q;
}

/** Seeded initializers; all return float32 tensors. Normal-type ones are untruncated unless named so. */
export const initializers = {
  zeros(): Initializer {
    return (shape) => {
      checkShape(shape);
      return tf.zeros([...shape], 'float32');
    };
  },
  ones(): Initializer {
    return (shape) => {
      checkShape(shape);
      return tf.ones([...shape], 'float32');
    };
  },
  constant(value: number): Initializer {
    finite(value, 'value');
    return (shape) => {
      checkShape(shape);
      return tf.fill([...shape], value, 'float32');
    };
  },
  /** U(min, max); defaults -0.05, 0.05 (Keras' RandomUniform). */
  uniform({ min = -0.05, max = 0.05 }: { min?: number; max?: number } = {}): Initializer {
    finite(min, 'min');
    finite(max, 'max');
    if (!(min < max))
      throw new ConfigError(`uniform needs min < max, received min ${min}, max ${max}`, 'min');
    return uniformIn(min, max);
  },
  /** N(mean, stddev²); defaults 0, 0.05 (Keras' RandomNormal). */
  normal({ mean = 0, stddev = 0.05 }: { mean?: number; stddev?: number } = {}): Initializer {
    return normalWith(finite(mean, 'mean'), positive(stddev, 'stddev'));
  },
  /** N(mean, stddev²) with draws beyond 2 stddev redrawn (TensorFlow's and Keras' rule); defaults 0, 0.05. */
  truncatedNormal({ mean = 0, stddev = 0.05 }: { mean?: number; stddev?: number } = {}): Initializer {
    finite(mean, 'mean');
    positive(stddev, 'stddev');
    return (shape, seed) =>
      fromRng(shape, seed, (rng) => {
        for (;;) {
          const z = rng.normal();
          if (Math.abs(z) <= 2) return mean + stddev * z;
        }
      });
  },
  /** U(-l, l) with l = gain · √(6 / (fanIn + fanOut)) (Glorot & Bengio 2010; PyTorch's xavier_uniform_). */
  glorotUniform({ gain = 1 }: { gain?: number } = {}): Initializer {
    positive(gain, 'gain');
    return scaled(({ fanIn, fanOut }) => {
      const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
      return uniformIn(-limit, limit);
    });
  },
  /** N(0, σ²) with σ = gain · √(2 / (fanIn + fanOut)) (PyTorch's xavier_normal_; Keras truncates). */
  glorotNormal({ gain = 1 }: { gain?: number } = {}): Initializer {
    positive(gain, 'gain');
    return scaled(({ fanIn, fanOut }) => normalWith(0, gain * Math.sqrt(2 / (fanIn + fanOut))));
  },
  /** U(-l, l) with l = √(6 / fanIn) (He et al. 2015, for ReLU). */
  heUniform(): Initializer {
    return scaled(({ fanIn }) => uniformIn(-Math.sqrt(6 / fanIn), Math.sqrt(6 / fanIn)));
  },
  /** N(0, 2 / fanIn) (He et al. 2015; PyTorch's kaiming_normal_). */
  heNormal(): Initializer {
    return scaled(({ fanIn }) => normalWith(0, Math.sqrt(2 / fanIn)));
  },
  /** N(0, 1 / fanIn) (LeCun 1998; for SELU). */
  lecunNormal(): Initializer {
    return scaled(({ fanIn }) => normalWith(0, Math.sqrt(1 / fanIn)));
  },
  /**
   * A (semi-)orthogonal matrix times `gain` (Saxe et al. 2014), for recurrent kernels.
   * Rank ≥ 2; higher ranks are flattened to [prod(shape[:-1]), shape[-1]] as in Keras.
   * With rows ≥ cols the columns are orthonormal (WᵀW = I), otherwise the rows are (WWᵀ = I).
   */
  orthogonal({ gain = 1 }: { gain?: number } = {}): Initializer {
    positive(gain, 'gain');
    return (shape, seed) => {
      checkShape(shape);
      if (shape.length < 2) throw new ShapeError('orthogonal initializer', 'rank >= 2', shape);
      const cols = shape[shape.length - 1]!;
      const rows = size(shape) / Math.max(cols, 1);
      if (size(shape) === 0) return tf.zeros([...shape], 'float32');
      const [n, m] = rows >= cols ? [rows, cols] : [cols, rows]; // factor the tall orientation
      const rng = createRng(seed);
      const a = new Float64Array(n * m);
      for (let i = 0; i < a.length; i++) a[i] = rng.normal();
      const q = orthonormalColumns(a, n, m); // n × m
      const out = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          out[r * cols + c] = gain * (rows >= cols ? q[r * m + c]! : q[c * m + r]!); // transpose when wide
        }
      }
      return tf.tensor(out, [...shape], 'float32');
    };
  },
  /** gain · I for a square [n, n] shape (IRNN, Le et al. 2015); a ShapeError otherwise. */
  identity({ gain = 1 }: { gain?: number } = {}): Initializer {
    finite(gain, 'gain');
    return (shape) => {
      checkShape(shape);
      if (shape.length !== 2 || shape[0] !== shape[1]) {
        throw new ShapeError('identity initializer', '[n, n] (square)', shape);
      }
      return tf.tidy(() => tf.mul(tf.eye(shape[0]!), gain));
    };
  },
} as const;

let counter = 0;
/** Per module instance, so two copies of this package in one process still make distinct names. */
const instance = Math.floor(Math.random() * 0x7fffffff).toString(36);

/**
 * Creates a variable from an initializer. Its engine name is unique and meaningless: key
 * checkpoints by path (`namedParameters`), never by `tf.Variable.name`.
 *
 * @example
 * const kernel = createParameter(initializers.glorotUniform(), [4, 8], deriveSeed(seed, 'kernel'));
 */
export function createParameter(
  init: Initializer,
  shape: readonly number[],
  seed: number,
  { trainable = true }: { trainable?: boolean } = {},
): tf.Variable {
  checkShape(shape);
  const value = init(shape, seed);
  try {
    if (value.shape.join(',') !== shape.join(','))
      throw new ShapeError('initializer output', shape, value.shape);
    counter += 1;
    return tf.variable(value, trainable, `strand_${instance}_${counter}`);
  } finally {
    value.dispose(); // the variable holds its own reference to the data
  }
}
