import { describe, expect, it } from 'vitest';
import { close as expectClose } from '../test/helpers.js';
import { NotPositiveDefiniteError } from './errors.js';
import {
  cholesky,
  choleskySolve,
  gaussianLogDensity,
  inverseSpd,
  logDetFromCholesky,
  logSumExp,
  matMul,
  matMulTransB,
  solve,
  transpose,
} from './linalg.js';

describe('linalg', () => {
  const a = Float64Array.of(4, 2, 0.6, 2, 2, 0.5, 0.6, 0.5, 3);

  it('multiplies and transposes', () => {
    const x = Float64Array.of(1, 2, 3, 4, 5, 6); // [2, 3]
    const y = Float64Array.of(1, 0, 0, 1, 1, 1); // [3, 2]
    expectClose(matMul(x, y, 2, 3, 2), [4, 5, 10, 11]);
    expectClose(transpose(x, 2, 3), [1, 4, 2, 5, 3, 6]);
    expectClose(matMulTransB(x, x, 2, 3, 2), [14, 32, 32, 77]);
  });

  it('factors an SPD matrix: L Lᵀ = a, with the right determinant', () => {
    const l = cholesky(a, 3);
    expectClose(matMulTransB(l, l, 3, 3, 3), a, 1e-12);
    // det computed by cofactor expansion: 4(6 - 0.25) - 2(6 - 0.3) + 0.6(1 - 1.2) = 11.48
    expectClose(logDetFromCholesky(l, 3), Math.log(11.48), 1e-12);
    const inv = inverseSpd(a, 3);
    expectClose(matMul(a, inv, 3, 3, 3), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-12);
    const b = Float64Array.of(1, 2, 3);
    expectClose(matMul(a, choleskySolve(l, 3, Float64Array.from(b)), 3, 3, 1), b, 1e-12);
  });

  it('names the failing pivot of a matrix that is not positive definite', () => {
    const bad = Float64Array.of(1, 2, 2, 1);
    expect(() => cholesky(bad, 2, 'covariance of state 1', 1)).toThrow(NotPositiveDefiniteError);
    try {
      cholesky(bad, 2, 'covariance of state 1', 1);
    } catch (e) {
      expect((e as NotPositiveDefiniteError).state).toBe(1);
      expect((e as Error).message).toMatch(/covariance of state 1.*leading minor 2 is -3/);
    }
  });

  it('solves general systems and reports singular ones', () => {
    const m = Float64Array.of(0, 1, 2, 3); // needs pivoting
    expectClose(solve(m, Float64Array.of(1, 5), 2)!, [1, 1]);
    expect(solve(Float64Array.of(1, 2, 2, 4), Float64Array.of(1, 1), 2)).toBeNull();
  });

  it('evaluates a Gaussian log density against the closed form', () => {
    const l = cholesky(a, 3);
    const mean = Float64Array.of(1, -1, 0.5);
    const x = Float64Array.of(0.3, 0.2, -0.4);
    const d = Float64Array.of(x[0]! - 1, x[1]! + 1, x[2]! - 0.5);
    const inv = inverseSpd(a, 3);
    let quad = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) quad += d[i]! * inv[i * 3 + j]! * d[j]!;
    const expected = -0.5 * (3 * Math.log(2 * Math.PI) + Math.log(11.48) + quad);
    const got = gaussianLogDensity(x, 0, mean, 0, l, logDetFromCholesky(l, 3), 3, new Float64Array(3));
    expectClose(got, expected, 1e-12);
  });

  it('computes logSumExp without overflow', () => {
    expectClose(logSumExp([1000, 1000]), 1000 + Math.log(2), 1e-12);
    expect(logSumExp([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe(Number.NEGATIVE_INFINITY);
    expectClose(logSumExp([Math.log(0.25), Math.log(0.75)]), 0, 1e-15);
  });
});
