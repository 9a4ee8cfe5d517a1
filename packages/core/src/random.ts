import { ConfigError } from './errors.js';

/**
 * A seeded stream of random numbers, computed in JavaScript so that the same seed gives the
 * same numbers on every tfjs backend (tfjs' own random ops differ between backends).
 */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of randomness. */
  next(): number;
  /** Standard normal (mean 0, stddev 1), by the Box-Muller transform. */
  normal(): number;
}

const TWO_POW_32 = 4294967296;

/** Reduces any finite number to 32 bits, mixing the high part in (seeds up to 2^53 stay distinct). */
function toUint32(seed: number, field: string): number {
  if (!Number.isFinite(seed))
    throw new ConfigError(`${field} must be a finite number, received ${seed}`, field);
  const n = Math.trunc(seed);
  const lo = n >>> 0;
  const hi = Math.floor(n / TWO_POW_32) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
}

/** SplitMix32 finaliser: spreads a 32-bit value over all bits. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * xoshiro128** (Blackman & Vigna), seeded through SplitMix32 so that nearby seeds give unrelated streams.
 *
 * @example
 * const rng = createRng(42);
 * rng.next();   // the same number for seed 42 everywhere
 * rng.normal();
 */
export function createRng(seed: number): Rng {
  let x = toUint32(seed, 'seed');
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    s[i] = mix32(x);
  }
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1; // the all-zero state is a fixed point

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  };

  let spare: number | null = null;
  const next = (): number => nextUint32() / TWO_POW_32;
  return {
    next,
    normal(): number {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      const u1 = 1 - next(); // (0, 1]: log is finite
      const u2 = next();
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A new seed from a seed and a label (for example a parameter path), so that each parameter
 * gets its own stream: `deriveSeed(seed, 'encoder.kernel')`. FNV-1a over the label's UTF-16
 * code units, combined with the seed and finalised; the result is a uint32.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ toUint32(seed, 'seed');
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0);
}
