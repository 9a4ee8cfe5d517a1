import { describe, expect, it } from 'vitest';
import { Rng } from './random.js';

describe('Rng', () => {
  it('gives the same numbers for the same seed and different ones otherwise', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xa);
  });

  it('draws uniform floats with the right mean and variance', () => {
    const r = new Rng(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let inRange = true;
    for (let i = 0; i < n; i++) {
      const u = r.float();
      if (!(u >= 0 && u < 1)) inRange = false;
      s += u;
      s2 += u * u;
    }
    expect(inRange).toBe(true);
    const mean = s / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005); // sd of the mean is 0.00065
    expect(Math.abs(s2 / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const r = new Rng(2);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });

  it('draws categorical indices in proportion to the weights', () => {
    const r = new Rng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 60_000; i++) counts[r.categorical([1, 2, 3])]!++;
    expect(Math.abs(counts[0]! / 60_000 - 1 / 6)).toBeLessThan(0.01);
    expect(Math.abs(counts[2]! / 60_000 - 0.5)).toBeLessThan(0.01);
    expect(r.categorical([0, 0, 5])).toBe(2);
  });

  it('draws Dirichlet vectors that sum to 1', () => {
    const r = new Rng(4);
    const out = new Float64Array(5);
    r.dirichlet(out, 1);
    expect(Math.abs(out.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
  });
});
