/**
 * Checks for option values. Each returns the value when it is valid, and otherwise throws a
 * ConfigError naming the field, what was expected and what came, so a wrong option fails at
 * construction rather than as a NaN three calls later.
 */
import { ConfigError, describeValue } from './errors.js';

function fail(field: string, expected: string, value: unknown): never {
  throw new ConfigError(`${field} must be ${expected}, received ${describeValue(value)}`, field);
}

/** An integer >= 1. */
export function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    fail(field, 'a positive integer', value);
  return value;
}

/** An integer >= 0. */
export function nonNegativeInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    fail(field, 'a non-negative integer', value);
  return value;
}

/** An integer in [min, max]. */
export function integerInRange(value: unknown, min: number, max: number, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    fail(field, `an integer in [${min}, ${max}]`, value);
  return value;
}

/** Any finite number (a seed, a constant). */
export function finiteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, 'a finite number', value);
  return value;
}

/** A finite number > 0 (a learning rate, a temperature). */
export function positiveNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(field, 'a finite number > 0', value);
  return value;
}

/** A finite number >= 0 (a weight decay, a clipping norm). */
export function nonNegativeNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(field, 'a finite number >= 0', value);
  return value;
}

/** A rate in [0, 1) (dropout, label smoothing). */
export function rate(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) fail(field, 'a number in [0, 1)', value);
  return value;
}

/** A probability in [0, 1]. */
export function probability(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(field, 'a number in [0, 1]', value);
  return value;
}

/** One of the allowed string values, or a ConfigError listing them. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(field, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}
