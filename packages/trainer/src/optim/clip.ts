/**
 * Gradient clipping with PyTorch's rules (torch.nn.utils.clip_grad_norm_ / clip_grad_value_, 1.13).
 * Both return new tensors; the caller keeps ownership of (and disposes) the inputs.
 */
import { ConfigError, nonNegativeNumber } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';

export interface ClipGradNormOptions {
  /** The p of the p-norm: a finite p > 0, or Infinity (max |g|). Default 2. */
  readonly normType?: number;
}

export interface ClipGradNormResult {
  /** The clipped gradients (new tensors, same keys and order). */
  readonly grads: Map<string, tf.Tensor>;
  /** The total norm of the gradients before clipping (for logging; may be NaN/Infinity). */
  readonly norm: number;
}

function checkNormType(normType: number): number {
  if (normType !== Number.POSITIVE_INFINITY && !(Number.isFinite(normType) && normType > 0)) {
    throw new ConfigError(
      `normType must be a number > 0 or Infinity, received ${String(normType)}`,
      'normType',
    );
  }
  return normType;
}

/** The total norm as a scalar tensor: the p-norm of the per-tensor p-norms (PyTorch's order). */
function totalNorm(grads: readonly tf.Tensor[], p: number): tf.Scalar {
  return tf.tidy(() => {
    if (p === Number.POSITIVE_INFINITY) {
      return tf.max(tf.stack(grads.map((g) => tf.max(tf.abs(g))))) as tf.Scalar;
    }
    if (p === 2) {
      const norms = grads.map((g) => tf.sqrt(tf.sum(tf.square(g))));
      return tf.sqrt(tf.sum(tf.square(tf.stack(norms)))) as tf.Scalar;
    }
    const norms = grads.map((g) => tf.pow(tf.sum(tf.pow(tf.abs(g), p)), 1 / p));
    return tf.pow(tf.sum(tf.pow(tf.stack(norms), p)), 1 / p) as tf.Scalar;
  });
}

/**
 * Scales all gradients by `min(1, maxNorm / (total + 1e-6))`, where `total` is the p-norm over all
 * of them together (PyTorch's clip_grad_norm_, whose 1e-6 is kept). Reads one number (the norm)
 * back from the device. Like PyTorch (error_if_nonfinite=false), a non-finite norm makes the
 * gradients non-finite; check with `checkFiniteGrads`.
 *
 * @example
 * const { grads: clipped, norm } = clipGradNorm(grads, 1.0);
 */
export function clipGradNorm(
  grads: ReadonlyMap<string, tf.Tensor>,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): ClipGradNormResult {
  const { grads: out, total } = clipGradNormDeferred(grads, maxNorm, options);
  const norm = total === null ? 0 : total.dataSync()[0]!;
  total?.dispose();
  return { grads: out, norm };
}

/** clipGradNorm reading the norm asynchronously (for backends without synchronous reads, e.g. WebGPU). */
export async function clipGradNormAsync(
  grads: ReadonlyMap<string, tf.Tensor>,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): Promise<ClipGradNormResult> {
  const { grads: out, total } = clipGradNormDeferred(grads, maxNorm, options);
  const norm = total === null ? 0 : (await total.data())[0]!;
  total?.dispose();
  return { grads: out, norm };
}

/**
 * The clipped gradients and the (unread) total norm; the scale is applied on the device, no read.
 * The loop reads the norm together with the loss (one read per step). Internal.
 */
export function clipGradNormDeferred(
  grads: ReadonlyMap<string, tf.Tensor>,
  maxNorm: number,
  options: ClipGradNormOptions,
): { grads: Map<string, tf.Tensor>; total: tf.Scalar | null } {
  nonNegativeNumber(maxNorm, 'maxNorm');
  const p = checkNormType(options.normType ?? 2);
  if (grads.size === 0) return { grads: new Map(), total: null };
  const { clipped, total } = tf.tidy(() => {
    const tensors = [...grads.values()];
    const t = totalNorm(tensors, p);
    const coef = tf.minimum(tf.div(tf.scalar(maxNorm), tf.add(t, tf.scalar(1e-6))), tf.scalar(1));
    return { clipped: tensors.map((g) => tf.mul(g, coef)), total: t };
  });
  const out = new Map<string, tf.Tensor>();
  let i = 0;
  for (const key of grads.keys()) out.set(key, clipped[i++]!);
  return { grads: out, total };
}

/** The total gradient norm without clipping (same definition as clipGradNorm's), as a number. */
export function gradNorm(grads: ReadonlyMap<string, tf.Tensor>, options: ClipGradNormOptions = {}): number {
  const p = checkNormType(options.normType ?? 2);
  if (grads.size === 0) return 0;
  const t = totalNorm([...grads.values()], p);
  const value = t.dataSync()[0]!;
  t.dispose();
  return value;
}

/** gradNorm reading asynchronously (for backends without synchronous reads, e.g. WebGPU). */
export async function gradNormAsync(
  grads: ReadonlyMap<string, tf.Tensor>,
  options: ClipGradNormOptions = {},
): Promise<number> {
  const p = checkNormType(options.normType ?? 2);
  if (grads.size === 0) return 0;
  const t = totalNorm([...grads.values()], p);
  const value = (await t.data())[0]!;
  t.dispose();
  return value;
}

/** Clamps every gradient element to [-clipValue, clipValue] (PyTorch's clip_grad_value_); new tensors. */
export function clipGradValue(
  grads: ReadonlyMap<string, tf.Tensor>,
  clipValue: number,
): Map<string, tf.Tensor> {
  nonNegativeNumber(clipValue, 'clipValue');
  const out = new Map<string, tf.Tensor>();
  for (const [key, g] of grads) out.set(key, tf.clipByValue(g, -clipValue, clipValue));
  return out;
}
