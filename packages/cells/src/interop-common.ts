import { describeValue, FormatError } from '@strand/base';
import { WeightsError } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';

/** A weight as it comes from another framework: a tensor, {shape, data} (e.g. from JSON), or nested arrays. */
export type WeightLike =
  | tf.Tensor
  | { readonly shape: readonly number[]; readonly data: ArrayLike<number> }
  | readonly number[]
  | readonly (readonly number[])[];

/** Deeper than any weight matrix: nested arrays beyond this are refused before they are walked. */
const MAX_RANK = 8;
/** Largest weight accepted from plain data (2^28 floats = 1 GiB); a declared size beyond must not allocate. */
const MAX_ELEMENTS = 2 ** 28;

/**
 * Reads named weights (from a tensor map or parsed JSON), reporting every missing, unexpected and
 * wrong-shape name at once. Malformed values (null, strings, booleans, NaN, ragged or too-deep arrays,
 * data that does not fill its shape) are a FormatError naming the weight. The reader owns the tensors it
 * made until `finish` succeeds: on any failure it disposes them, so a failed load leaks nothing.
 */
export class WeightReader {
  private readonly missing: string[] = [];
  private readonly wrongShape: { name: string; expected: number[]; received: number[] }[] = [];
  private readonly used = new Set<string>();
  private readonly made: tf.Tensor[] = [];
  private readonly weights: Readonly<Record<string, unknown>>;

  /** @param format names the source in errors: 'PyTorch state_dict', 'Keras weights'. */
  constructor(
    weights: unknown,
    private readonly format: string,
  ) {
    if (
      typeof weights !== 'object' ||
      weights === null ||
      Array.isArray(weights) ||
      weights instanceof tf.Tensor
    ) {
      throw new FormatError(format, `expected an object of named weights, got ${describeValue(weights)}`, {
        path: '$',
      });
    }
    this.weights = weights as Record<string, unknown>;
  }

  /** The weight as a float32 tensor of `shape` (the reader owns it until `finish`), or null if absent or misshapen. */
  take(name: string, shape: readonly number[], { optional = false } = {}): tf.Tensor | null {
    const w = Object.hasOwn(this.weights, name) ? this.weights[name] : undefined;
    if (w === undefined) {
      if (!optional) this.missing.push(name);
      return null;
    }
    this.used.add(name);
    let t: tf.Tensor;
    try {
      t = toTensor(w, name, this.format);
    } catch (error) {
      this.dispose();
      throw error;
    }
    if (t.shape.join(',') !== shape.join(',')) {
      this.wrongShape.push({ name, expected: [...shape], received: t.shape });
      t.dispose();
      return null;
    }
    this.made.push(t);
    return t;
  }

  has(name: string): boolean {
    return Object.hasOwn(this.weights, name) && this.weights[name] !== undefined;
  }

  /**
   * Throws a WeightsError (after disposing every tensor taken) if anything was missing, misshapen or
   * left unused; otherwise hands the tensors over to the caller.
   */
  finish(): void {
    const unexpected = Object.keys(this.weights).filter((k) => !this.used.has(k));
    if (this.missing.length > 0 || this.wrongShape.length > 0 || unexpected.length > 0) {
      this.dispose();
      throw new WeightsError({ missing: this.missing, unexpected, wrongShape: this.wrongShape });
    }
    this.made.length = 0;
  }

  /** Disposes every tensor taken so far (for a caller that fails after `take`). */
  dispose(): void {
    tf.dispose(this.made);
    this.made.length = 0;
  }
}

function bad(format: string, name: string, reason: string): never {
  throw new FormatError(format, reason, { path: name });
}

/** A weight value from plain data, strictly: finite numbers only, sizes checked before allocating. */
function toTensor(w: unknown, name: string, format: string): tf.Tensor {
  if (w instanceof tf.Tensor) {
    if (w.dtype === 'string' || w.dtype === 'complex64')
      bad(format, name, `a ${w.dtype} tensor is not a weight`);
    return tf.cast(w, 'float32');
  }
  if (Array.isArray(w)) return nestedToTensor(w, name, format);
  if (typeof w === 'object' && w !== null && 'shape' in w) {
    const { shape, data } = w as { shape: unknown; data: unknown };
    if (
      !Array.isArray(shape) ||
      shape.length > MAX_RANK ||
      !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0 && d <= MAX_ELEMENTS)
    ) {
      bad(
        format,
        name,
        `shape must be at most ${MAX_RANK} integers in [0, ${MAX_ELEMENTS}], got ${describeValue(shape)}`,
      );
    }
    let size = 1;
    for (const d of shape as number[]) size *= d;
    if (size > MAX_ELEMENTS)
      bad(format, name, `shape [${shape.join(', ')}] has more than ${MAX_ELEMENTS} elements`);
    if (!(Array.isArray(data) || data instanceof Float32Array || data instanceof Float64Array))
      bad(format, name, `data must be an array of numbers, got ${describeValue(data)}`);
    const values = data as ArrayLike<unknown>;
    if (values.length !== size)
      bad(format, name, `shape [${shape.join(', ')}] needs ${size} values, data has ${values.length}`);
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = finite(values[i], format, name, `data[${i}]`);
    return tf.tensor(out, [...(shape as number[])], 'float32');
  }
  return bad(
    format,
    name,
    `expected a tensor, {shape, data} or nested arrays of numbers, got ${describeValue(w)}`,
  );
}

function finite(v: unknown, format: string, name: string, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    bad(format, name, `${where} must be a finite number, got ${describeValue(v)}`);
  return v as number;
}

/** Nested arrays of numbers -> a tensor; the shape comes from the first elements, then every row must match. */
function nestedToTensor(w: readonly unknown[], name: string, format: string): tf.Tensor {
  const shape: number[] = [];
  let probe: unknown = w;
  while (Array.isArray(probe)) {
    if (shape.length >= MAX_RANK) bad(format, name, `nested deeper than ${MAX_RANK} levels`);
    shape.push(probe.length);
    probe = probe[0];
  }
  let size = 1;
  for (const d of shape) size *= d;
  if (size > MAX_ELEMENTS) bad(format, name, `more than ${MAX_ELEMENTS} values`);
  const out = new Float32Array(size);
  let n = 0;
  // Iterative walk: [array, depth, path] frames.
  const stack: [readonly unknown[], number, string][] = [[w, 0, '']];
  while (stack.length > 0) {
    const [a, depth, path] = stack.pop()!;
    if (a.length !== shape[depth])
      bad(
        format,
        name,
        `ragged arrays: ${path || 'the top level'} has ${a.length} entries, expected ${shape[depth]}`,
      );
    if (depth === shape.length - 1) {
      for (let i = 0; i < a.length; i++) out[n++] = finite(a[i], format, name, `${path}[${i}]`);
    } else {
      for (let i = a.length - 1; i >= 0; i--) {
        const child = a[i];
        if (!Array.isArray(child))
          bad(format, name, `${path}[${i}] must be an array, got ${describeValue(child)}`);
        stack.push([child as readonly unknown[], depth + 1, `${path}[${i}]`]);
      }
    }
  }
  return tf.tensor(out, shape, 'float32');
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
