import { ConfigError } from './errors.js';

/**
 * Strand's one seeded generator: xoshiro128** (Blackman & Vigna), seeded through SplitMix32 so
 * that nearby seeds give unrelated streams. Computed in JavaScript, so the same seed gives the
 * same numbers on every platform and tfjs backend (tfjs' own random ops differ between backends).
 * State is explicit: pass the generator around, save `state()` in a checkpoint, `restore` it.
 *
 * @example
 * const rng = createRng(42);
 * rng.next();          // uniform [0, 1), 32 bits: the same number for seed 42 everywhere
 * rng.normal();
 * rng.shuffle([1, 2, 3]);
 * const saved = rng.state(); // JSON-serialisable
 */
export class Rng {
  private readonly s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    let x = toUint32(seed, 'seed');
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      this.s[i] = mix32(x);
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1; // all-zero is a fixed point
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1), 32 bits of randomness (enough for initializers and sampling). */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform in [0, 1) with 53 random bits (for long-run statistics in float64 models). */
  float(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32)
      throw new ConfigError(`int(n) needs an integer n in [1, 2^32], received ${n}`, 'n');
    if (n === 1) return 0;
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % n;
    }
  }

  /** Standard normal (mean 0, stddev 1), by the Box-Muller transform (the second value is kept). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u1 = 1 - this.next(); // (0, 1]: log is finite
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /**
   * An index drawn from unnormalised non-negative weights w[offset .. offset + n).
   * The weights need not sum to 1; they must not all be zero.
   */
  categorical(weights: ArrayLike<number>, offset = 0, n = weights.length - offset): number {
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[offset + i]!;
    let u = this.float() * total;
    for (let i = 0; i < n; i++) {
      u -= weights[offset + i]!;
      if (u < 0) return i;
    }
    // Rounding left u >= 0: the last index with positive weight.
    for (let i = n - 1; i >= 0; i--) if (weights[offset + i]! > 0) return i;
    return n - 1;
  }

  /** A Gamma(shape, 1) variate (Marsaglia & Tsang), for Dirichlet draws. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.float() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.float();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Fills out[offset .. offset + n) with a draw from a symmetric Dirichlet(concentration). */
  dirichlet(out: Float64Array, concentration: number, offset = 0, n = out.length - offset): void {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const g = this.gamma(concentration);
      out[offset + i] = g;
      total += g;
    }
    for (let i = 0; i < n; i++) out[offset + i]! /= total;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** The generator's whole state as plain JSON, for checkpoints. */
  state(): RngState {
    return { version: 1, s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spare: this.spare };
  }

  /** A generator that continues exactly where `state()` was taken. */
  static restore(state: RngState): Rng {
    const ok =
      state !== null &&
      typeof state === 'object' &&
      state.version === 1 &&
      Array.isArray(state.s) &&
      state.s.length === 4 &&
      state.s.every((v) => Number.isInteger(v) && v >= 0 && v < TWO_POW_32) &&
      (state.spare === null || Number.isFinite(state.spare));
    if (!ok) throw new ConfigError(`not a saved Rng state: ${JSON.stringify(state)}`, 'state');
    const rng = new Rng(0);
    rng.s.set(state.s);
    rng.spare = state.spare;
    return rng;
  }
}

/** What `Rng.state()` returns: JSON-serialisable. */
export interface RngState {
  readonly version: 1;
  readonly s: readonly [number, number, number, number] | readonly number[];
  readonly spare: number | null;
}

/** A seeded generator; the same seed gives the same stream everywhere. */
export function createRng(seed: number): Rng {
  return new Rng(seed);
}

const TWO_POW_32 = 4294967296;

/** Reduces any finite number to 32 bits, mixing the high part in (seeds up to 2^53 stay distinct). */
function toUint32(seed: number, field: string): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed))
    throw new ConfigError(`${field} must be a finite number, received ${String(seed)}`, field);
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

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A new seed from a seed and labels (for example a parameter path), so that each consumer gets its
 * own stream: `deriveSeed(seed, 'encoder.kernel')`, `deriveSeed(seed, 'shuffle', epoch)`. FNV-1a over
 * the labels' UTF-16 code units, combined with the seed and finalised; the result is a uint32.
 * With one string label the result equals earlier Strand releases' `deriveSeed(seed, label)`.
 */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  let h = 0x811c9dc5 ^ toUint32(seed, 'seed');
  labels.forEach((l, k) => {
    const label = k === 0 ? String(l) : `\u0000${String(l)}`;
    for (let i = 0; i < label.length; i++) {
      h ^= label.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  });
  return mix32(h >>> 0);
}
