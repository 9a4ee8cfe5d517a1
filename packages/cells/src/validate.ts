import { ConfigError, ShapeError } from '@strand/core';
import type * as tf from '@tensorflow/tfjs-core';

/** A positive integer option, or a ConfigError naming the field and the value received. */
export function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${field} must be a positive integer, received ${String(value)}`, field);
  }
  return value;
}

/** A finite number option, or a ConfigError. */
export function finiteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(`${field} must be a finite number, received ${String(value)}`, field);
  }
  return value;
}

/** A probability in [0, 1), or a ConfigError. */
export function rate(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new ConfigError(`${field} must be in [0, 1), received ${String(value)}`, field);
  }
  return value;
}

/** One of the allowed string values, or a ConfigError listing them. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      `${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, received ${String(value)}`,
      field,
    );
  }
  return value as T;
}

/** Throws a ShapeError unless `t` has exactly `expected` (null = any size on that axis). */
export function expectShape(what: string, t: tf.Tensor, expected: readonly (number | null)[]): void {
  const ok = t.rank === expected.length && expected.every((d, i) => d === null || d === t.shape[i]);
  if (!ok) throw new ShapeError(what, expected, t.shape);
}

/** Throws a ConfigError unless `t` is float32 (cells compute in float32 on every backend). */
export function expectFloat32(what: string, t: tf.Tensor): void {
  if (t.dtype !== 'float32') throw new ConfigError(`${what} must be float32, received ${t.dtype}`, what);
}
