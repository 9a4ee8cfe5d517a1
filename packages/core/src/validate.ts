import { ConfigError } from './errors.js';

/** A positive integer option, or a ConfigError naming the field and the value received. */
export function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${field} must be a positive integer, received ${value}`, field);
  }
  return value;
}

/** A finite number option (a seed, a constant), or a ConfigError. */
export function finiteNumber(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(`${field} must be a finite number, received ${String(value)}`, field);
  }
  return value;
}
