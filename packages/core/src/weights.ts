import type * as tf from '@tensorflow/tfjs-core';
import { WeightsError, type WrongDtype, type WrongShape } from './errors.js';
import { namedParameters, type Params } from './params.js';
import { type NamedTensors, serializeSafetensors } from './safetensors/serialize.js';

export interface LoadOptions {
  /**
   * Default true: every parameter must be present and every tensor must be used.
   * With false, missing and unexpected names are returned instead of thrown
   * (a wrong shape or dtype is always an error, as in PyTorch's load_state_dict).
   */
  readonly strict?: boolean;
  /** Named in errors. */
  readonly file?: string;
}

export interface LoadReport {
  /** Parameters left at their current values (only when not strict). */
  readonly missing: readonly string[];
  /** Tensors that name no parameter (only when not strict). */
  readonly unexpected: readonly string[];
}

function toMap(named: NamedTensors): ReadonlyMap<string, tf.Tensor> {
  return named instanceof Map ? named : new Map(Object.entries(named as Record<string, tf.Tensor>));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Assigns tensors into a parameter tree by path. Every name, shape and dtype is checked before
 * any variable changes, so a mismatch throws a WeightsError (listing all that is missing,
 * unexpected or of the wrong shape or dtype) and leaves the tree as it was: never a partial load.
 * The tensors stay owned by the caller (variables keep their own reference to the data).
 *
 * @example
 * const { tensors } = parseSafetensors(bytes);
 * loadParameters(model, tensors);
 * tf.dispose([...tensors.values()]);
 */
export function loadParameters(tree: Params, tensors: NamedTensors, options: LoadOptions = {}): LoadReport {
  const { strict = true, file } = options;
  const params = namedParameters(tree);
  const source = toMap(tensors);
  const missing: string[] = [];
  const wrongShape: WrongShape[] = [];
  const wrongDtype: WrongDtype[] = [];
  for (const [name, v] of params) {
    const t = source.get(name);
    if (t === undefined) missing.push(name);
    else if (!sameShape(v.shape, t.shape)) wrongShape.push({ name, expected: v.shape, received: t.shape });
    else if (v.dtype !== t.dtype) wrongDtype.push({ name, expected: v.dtype, received: t.dtype });
  }
  const unexpected = [...source.keys()].filter((name) => !params.has(name));
  if (
    wrongShape.length > 0 ||
    wrongDtype.length > 0 ||
    (strict && (missing.length > 0 || unexpected.length > 0))
  ) {
    throw new WeightsError({ missing, unexpected, wrongShape, wrongDtype, file });
  }
  for (const [name, v] of params) {
    const t = source.get(name);
    if (t !== undefined) v.assign(t);
  }
  return { missing, unexpected };
}

/**
 * A parameter tree as safetensors bytes, keyed by path (browser-safe).
 *
 * @example
 * const bytes = await saveParameters(model, { step: '1000' });
 * loadParameters(model, parseSafetensors(bytes).tensors);
 */
export function saveParameters(
  tree: Params,
  metadata?: Readonly<Record<string, string>>,
): Promise<Uint8Array> {
  return serializeSafetensors(namedParameters(tree), metadata);
}
