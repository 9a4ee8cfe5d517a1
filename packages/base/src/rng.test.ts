import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { createRng, deriveSeed, Rng } from './rng.js';

/**
 * The generator and deriveSeed as @strand/core shipped them before @strand/base existed (copied from
 * core's random.ts at commit ed1fee0): every initializer's numbers depend on these streams.
 */
function oldCreateRng(seed: number) {
  const toUint32 = (v: number) => {
    const n = Math.trunc(v);
    return ((n >>> 0) ^ Math.imul(Math.floor(n / 4294967296) >>> 0, 0x9e3779b9)) >>> 0;
  };
  let x = toUint32(seed);
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    s[i] = oldMix32(x);
  }
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  const rotl = (v: number, k: number) => ((v << k) | (v >>> (32 - k))) >>> 0;
  const nextUint32 = () => {
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
  const next = () => nextUint32() / 4294967296;
  return {
    next,
    normal() {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      const u1 = 1 - next();
      const u2 = next();
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
  };
}

function oldMix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function oldDeriveSeed(seed: number, label: string): number {
  const n = Math.trunc(seed);
  let h = 0x811c9dc5 ^ (((n >>> 0) ^ Math.imul(Math.floor(n / 4294967296) >>> 0, 0x9e3779b9)) >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return oldMix32(h >>> 0);
}

const SEEDS = [0, 1, 2, 42, 1234, -1, -7.9, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, 0xdeadbeef, 3.75];

describe('Rng', () => {
  it.each(SEEDS)('seed %s: next() and normal() equal the old core createRng stream', (seed) => {
    const a = createRng(seed);
    const b = oldCreateRng(seed);
    for (let i = 0; i < 300; i++) {
      if (i % 3 === 0) expect(a.normal()).toBe(b.normal());
      else expect(a.next()).toBe(b.next());
    }
  });

  it('pins the first numbers for seed 0 (a change here breaks every saved seed)', () => {
    const rng = new Rng(0);
    expect([rng.next(), rng.next(), rng.next()]).toEqual([
      0.3010015699546784, 0.2990532193798572, 0.46876141941174865,
    ]);
  });

  it('rejects non-finite seeds with a ConfigError naming the field', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '3' as unknown as number]) {
      expect(() => new Rng(bad)).toThrow(ConfigError);
    }
    try {
      createRng(Number.NaN);
    } catch (e) {
      expect((e as ConfigError).field).toBe('seed');
      expect((e as ConfigError).code).toBe('ERR_CONFIG');
    }
  });

  it('state()/restore continues the exact stream, including a pending normal, through JSON', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 17; i++) rng.next();
    rng.normal(); // leaves a spare
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const copy = Rng.restore(saved);
    const draw = (r: Rng) => [r.normal(), r.next(), r.float(), r.int(1000), r.normal(), r.normal()];
    expect(draw(copy)).toEqual(draw(rng));
  });

  it('restore rejects states that are not a saved Rng state', () => {
    const good = new Rng(1).state();
    const bads: unknown[] = [
      null,
      {},
      { ...good, version: 2 },
      { ...good, s: [1, 2, 3] },
      { ...good, s: [1, 2, 3, -1] },
      { ...good, s: [1, 2, 3, 2 ** 32] },
      { ...good, spare: Number.NaN },
    ];
    for (const bad of bads) expect(() => Rng.restore(bad as never)).toThrow(ConfigError);
  });

  it('next() is in [0, 1) and float() has 53-bit resolution in [0, 1)', () => {
    const rng = new Rng(3);
    let fractional53 = false;
    let bad = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1 && Number.isInteger(u * 2 ** 32))) bad++;
      const f = rng.float();
      if (!(f >= 0 && f < 1)) bad++;
      if (!Number.isInteger(f * 2 ** 32)) fractional53 = true;
    }
    expect(bad).toBe(0);
    expect(fractional53).toBe(true);
  });

  it('int(n) covers [0, n) uniformly (chi-square) for n = 3, 7 and 10', () => {
    const rng = new Rng(99);
    for (const n of [3, 7, 10]) {
      const counts = new Array(n).fill(0);
      const draws = 70_000;
      let outside = 0;
      for (let i = 0; i < draws; i++) {
        const k = rng.int(n);
        if (!(Number.isInteger(k) && k >= 0 && k < n)) outside++;
        else counts[k]++;
      }
      expect(outside).toBe(0);
      const e = draws / n;
      const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
      // 99.9% quantile of chi-square with 9 degrees of freedom is 27.9 (fewer dof: smaller).
      expect(chi2).toBeLessThan(27.9);
    }
  });

  it('int(n) rejects the biased low residues for n = 3·2^30 (modulo would favour [0, 2^30) 2:1)', () => {
    const rng = new Rng(5);
    const n = 3 * 2 ** 30;
    let low = 0;
    const draws = 30_000;
    for (let i = 0; i < draws; i++) if (rng.int(n) < 2 ** 30) low++;
    // Unbiased: 1/3 of draws; plain modulo would give 1/2.
    expect(Math.abs(low / draws - 1 / 3)).toBeLessThan(0.015);
  });

  it('int(n) rejects bad n with a ConfigError', () => {
    const rng = new Rng(0);
    for (const n of [0, -1, 1.5, Number.NaN, 2 ** 32 + 1]) expect(() => rng.int(n)).toThrow(ConfigError);
    expect(rng.int(1)).toBe(0);
    expect(rng.int(2 ** 32)).toBeLessThan(2 ** 32);
  });

  it('normal() has mean 0 and variance 1 (100k draws)', () => {
    const rng = new Rng(7);
    let s = 0;
    let s2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.015);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });

  it('shuffle is a deterministic permutation for a seed, and every order appears', () => {
    const a = new Rng(8).shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
    const b = new Rng(8).shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(a).toEqual(b);
    expect([...a].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const rng = new Rng(1);
    const seen = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const key = rng.shuffle(['a', 'b', 'c']).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(6);
    for (const c of seen.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('categorical follows unnormalised weights, never picks a zero weight, honours offset', () => {
    const rng = new Rng(4);
    const w = [0, 1, 3, 0];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[rng.categorical(w)]! += 1;
    expect(counts[0]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(Math.abs(counts[2]! / 40_000 - 0.75)).toBeLessThan(0.01);
    for (let i = 0; i < 100; i++) expect(rng.categorical([9, 9, 0, 5], 2, 2)).toBe(1);
  });

  it('gamma has mean = shape, dirichlet sums to 1', () => {
    const rng = new Rng(6);
    for (const shape of [0.5, 2, 7]) {
      let s = 0;
      for (let i = 0; i < 20_000; i++) s += rng.gamma(shape);
      expect(Math.abs(s / 20_000 - shape) / shape).toBeLessThan(0.03);
    }
    const out = new Float64Array(5);
    rng.dirichlet(out, 0.3);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(out.every((v) => v >= 0)).toBe(true);
  });
});

describe('deriveSeed', () => {
  it.each(SEEDS)('seed %s: one string label equals the old core deriveSeed', (seed) => {
    for (const label of ['', 'kernel', 'encoder.layers.0.bias', 'dropout.1', 'ü€😀']) {
      expect(deriveSeed(seed, label)).toBe(oldDeriveSeed(seed, label));
    }
  });

  it('separates labels: (a, b) differs from (ab) and from (b, a); numbers label epochs', () => {
    expect(deriveSeed(1, 'a', 'b')).not.toBe(deriveSeed(1, 'ab'));
    expect(deriveSeed(1, 'a', 'b')).not.toBe(deriveSeed(1, 'b', 'a'));
    expect(deriveSeed(1, 'shuffle', 1)).not.toBe(deriveSeed(1, 'shuffle', 2));
    expect(deriveSeed(1, 'shuffle', 1)).toBe(deriveSeed(1, 'shuffle', '1'));
    const v = deriveSeed(2 ** 40, 'x');
    expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
    expect(() => deriveSeed(Number.NaN, 'x')).toThrow(ConfigError);
  });
});
