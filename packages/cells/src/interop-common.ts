import { WeightsError } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';

/** A weight as it comes from another framework: a tensor, {shape, data} (e.g. from JSON), or nested arrays. */
export type WeightLike =
  | tf.Tensor
  | { readonly shape: readonly number[]; readonly data: ArrayLike<number> }
  | readonly number[]
  | readonly (readonly number[])[];

/** Reads named weights, reporting every missing, unexpected and wrong-shape name at once. */
export class WeightReader {
  private readonly missing: string[] = [];
  private readonly wrongShape: { name: string; expected: number[]; received: number[] }[] = [];
  private readonly used = new Set<string>();
  constructor(private readonly weights: Readonly<Record<string, WeightLike>>) {}

  /** The weight as a float32 tensor of `shape` (the caller owns it), or null if absent or misshapen. */
  take(name: string, shape: readonly number[], { optional = false } = {}): tf.Tensor | null {
    const w = this.weights[name];
    if (w === undefined) {
      if (!optional) this.missing.push(name);
      return null;
    }
    this.used.add(name);
    const t = toTensor(w);
    if (t.shape.join(',') !== shape.join(',')) {
      this.wrongShape.push({ name, expected: [...shape], received: t.shape });
      t.dispose();
      return null;
    }
    return t;
  }

  has(name: string): boolean {
    return this.weights[name] !== undefined;
  }

  /** Throws a WeightsError if anything was missing, misshapen or left unused. */
  finish(): void {
    const unexpected = Object.keys(this.weights).filter((k) => !this.used.has(k));
    if (this.missing.length > 0 || this.wrongShape.length > 0 || unexpected.length > 0) {
      throw new WeightsError({ missing: this.missing, unexpected, wrongShape: this.wrongShape });
    }
  }
}

function toTensor(w: WeightLike): tf.Tensor {
  if (w instanceof tf.Tensor) return tf.cast(w, 'float32');
  if (!Array.isArray(w) && typeof w === 'object' && 'shape' in w) {
    return tf.tensor(Float32Array.from(w.data), [...w.shape], 'float32');
  }
  return tf.tensor(w as number[], undefined, 'float32');
}

/** Reorders equal column blocks: out block i = in block order[i]. x: [rows, k · n] (or [k · n]). */
export function permuteBlocks(x: tf.Tensor, order: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const blocks = tf.split(x, order.length, axis);
    return tf.concat(
      order.map((i) => blocks[i]!),
      axis,
    );
  });
}

/** A variable holding `value` (which it takes over). */
export function variableFrom(value: tf.Tensor): tf.Variable {
  const v = tf.variable(value, true);
  value.dispose();
  return v;
}
