import { InputError } from '@strand/base';
import { describe, expect, it } from 'vitest';
import { exactPosterior, type LdsSpec } from '../test/gaussian-reference.js';
import { close } from '../test/helpers.js';
import { NotPositiveDefiniteError } from './errors.js';
import { kalmanFilter, rtsSmoother } from './kalman.js';
import { createLds, sampleLds } from './lds.js';
import { fitLds } from './lds-em.js';

const logN = (x: number, m: number, v: number): number =>
  -0.5 * (Math.log(2 * Math.PI * v) + ((x - m) * (x - m)) / v);

describe('Kalman filter and RTS smoother', () => {
  it('a 1-D random walk, computed by hand', () => {
    // A = C = Q = R = V0 = 1, μ0 = 0, y = (1, 2).
    // t0: predict 0, 1; S = 2, K = 1/2 -> x = 0.5, P = 0.5
    // t1: predict 0.5, 1.5; S = 2.5, K = 0.6 -> x = 0.5 + 0.6 * 1.5 = 1.4, P = 0.6
    // smoother t0: J = 0.5 / 1.5 = 1/3; x = 0.5 + (1.4 - 0.5) / 3 = 0.8; P = 0.5 + (0.6 - 1.5) / 9 = 0.4
    const lds = createLds({
      transition: [[1]],
      transitionCov: [[1]],
      observation: [[1]],
      observationCov: [[1]],
      initialMean: [0],
      initialCov: [[1]],
    });
    const r = rtsSmoother(lds, [[1], [2]]);
    close(r.means, [0.5, 1.4], 1e-15);
    close(r.covariances, [0.5, 0.6], 1e-15);
    close(r.predictedMeans, [0, 0.5], 1e-15);
    close(r.logLikelihood, logN(1, 0, 2) + logN(2, 0.5, 2.5), 1e-14);
    close(r.smoothedMeans, [0.8, 1.4], 1e-15);
    close(r.smoothedCovariances, [0.4, 0.6], 1e-15);
    close(r.crossCovariances, [0.6 / 3], 1e-15); // Cov(x1, x0 | y) = P_s(1) J
  });

  const spec: LdsSpec = {
    A: [
      [0.9, 0.2],
      [-0.1, 0.8],
    ],
    Q: [
      [0.3, 0.05],
      [0.05, 0.2],
    ],
    C: [
      [1, 0.5],
      [0, 1],
      [0.3, -0.7],
    ],
    R: [
      [0.5, 0.1, 0],
      [0.1, 0.4, 0.05],
      [0, 0.05, 0.6],
    ],
    mu0: [1, -1],
    V0: [
      [1, 0.2],
      [0.2, 0.5],
    ],
  };
  const lds = createLds({
    transition: spec.A,
    transitionCov: spec.Q,
    observation: spec.C,
    observationCov: spec.R,
    initialMean: spec.mu0,
    initialCov: spec.V0,
  });
  const N = Number.NaN;
  // Whole steps missing (t = 2) and single dimensions missing (t = 1, 4).
  const y = [
    [0.5, -0.8, 1.2],
    [N, 0.1, 0.3],
    [N, N, N],
    [1.5, 0.4, -0.2],
    [0.7, N, N],
    [-0.3, 0.2, 0.9],
  ];

  it('matches the exact joint-Gaussian posterior, with missing steps and dimensions', () => {
    const r = rtsSmoother(lds, y);
    const exact = exactPosterior(spec, y);
    close(r.logLikelihood, exact.logLikelihood, 1e-11, 1e-12);
    close(r.smoothedMeans, exact.means.flat(), 1e-11);
    close(r.smoothedCovariances, exact.covs.flat(2), 1e-11);
    for (let t = 0; t < y.length; t++) {
      const filtered = exactPosterior(spec, y, t);
      close(r.means.subarray(t * 2, t * 2 + 2), filtered.means[t]!, 1e-11);
      close(r.covariances.subarray(t * 4, t * 4 + 4), filtered.covs[t]!.flat(), 1e-11);
    }
  });

  it('EM never decreases the likelihood and improves a poor start, with missing data', () => {
    const { observations } = sampleLds(lds, 300, { seed: 4 });
    for (let i = 0; i < observations.length; i += 7) observations[i] = Number.NaN; // scattered dimensions
    for (let i = 30; i < 45; i++) observations.fill(Number.NaN, i * 3, i * 3 + 3); // a missing stretch
    const start = createLds({
      transition: [
        [0.5, 0],
        [0, 0.5],
      ],
      transitionCov: [
        [1, 0],
        [0, 1],
      ],
      observation: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      observationCov: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      initialMean: [0, 0],
      initialCov: [
        [1, 0],
        [0, 1],
      ],
    });
    const r = fitLds(start, [observations, sampleLds(lds, 120, { seed: 5 }).observations], {
      maxIterations: 40,
      tolerance: 0,
    });
    const ll = r.logLikelihoods;
    for (let i = 1; i < ll.length; i++)
      expect(ll[i]! - ll[i - 1]!).toBeGreaterThanOrEqual(-1e-8 * Math.abs(ll[i]!));
    expect(ll.at(-1)! - ll[0]!).toBeGreaterThan(50);
    // the learned model explains the data about as well as the truth (EM finds a local optimum)
    const truth =
      kalmanFilter(lds, observations).logLikelihood +
      kalmanFilter(lds, sampleLds(lds, 120, { seed: 5 }).observations).logLikelihood;
    expect(ll.at(-1)!).toBeGreaterThan(truth - 30);
  });
});

describe('LDS bad input', () => {
  it('rejects a covariance that is not positive definite, naming it', () => {
    expect(() =>
      createLds({
        transition: [[1]],
        transitionCov: [[-1]],
        observation: [[1]],
        observationCov: [[1]],
        initialMean: [0],
        initialCov: [[1]],
      }),
    ).toThrow(NotPositiveDefiniteError);
    expect(() =>
      createLds({
        transition: [[1]],
        transitionCov: [[1]],
        observation: [[1]],
        observationCov: [[0]],
        initialMean: [0],
        initialCov: [[1]],
      }),
    ).toThrow(/observationCov \(R\): expected a symmetric positive-definite matrix/);
  });

  it('rejects observations of the wrong shape', () => {
    const lds = createLds({
      transition: [[1]],
      transitionCov: [[1]],
      observation: [[1], [1]],
      observationCov: [
        [1, 0],
        [0, 1],
      ],
      initialMean: [0],
      initialCov: [[1]],
    });
    expect(() => kalmanFilter(lds, [[1, 2], [3]])).toThrow(InputError);
    expect(() => kalmanFilter(lds, [[1, 2], [3]])).toThrow(
      /row 1 of observations: expected 2 numbers, received 1/,
    );
    expect(() => kalmanFilter(lds, [])).toThrow(/at least one step/);
  });
});
