import { describe, expect, it } from 'vitest';
import { close } from '../test/helpers.js';
import { baumWelch } from './baum-welch.js';
import { categoricalEmission, gaussianEmission, gmmEmission } from './emission.js';
import { createHmm, type Hmm } from './hmm.js';
import { hmmLogLikelihood } from './hmm-inference.js';
import { fitHmm } from './hmm-init.js';
import { sampleHmm } from './hmm-sample.js';
import { viterbi } from './viterbi.js';

function expectNonDecreasing(ll: readonly number[]): void {
  for (let i = 1; i < ll.length; i++)
    expect(ll[i]! - ll[i - 1]!).toBeGreaterThanOrEqual(-1e-9 * Math.abs(ll[i]!));
}

describe("Eisner's ice-cream HMM (with a STOP state)", () => {
  // Eisner (2002), "An Interactive Spreadsheet for Teaching the Forward-Backward Algorithm".
  // States C (0), H (1); observations 1..3 ice creams (symbols 0..2).
  const days = '2 3 3 2 3 2 3 2 2 3 1 3 3 1 1 1 2 1 1 1 3 1 2 1 1 1 2 3 3 2 3 2 2'
    .split(' ')
    .map((d) => Number(d) - 1);
  const initial = createHmm({
    start: [0.5, 0.5],
    transitions: [
      [0.8, 0.1],
      [0.1, 0.8],
    ],
    end: [0.1, 0.1],
    emission: categoricalEmission([
      [0.7, 0.2, 0.1],
      [0.1, 0.2, 0.7],
    ]),
  });

  /** The spreadsheet's computation written out plainly: unscaled α, β (33 days fit in doubles). */
  function spreadsheetIteration(h: { pi: number[]; a: number[][]; e: number[]; b: number[][] }) {
    const T = days.length;
    const alpha = days.map(() => [0, 0]);
    const beta = days.map(() => [0, 0]);
    for (let i = 0; i < 2; i++) alpha[0]![i] = h.pi[i]! * h.b[i]![days[0]!]!;
    for (let t = 1; t < T; t++) {
      for (let j = 0; j < 2; j++) {
        alpha[t]![j] =
          (alpha[t - 1]![0]! * h.a[0]![j]! + alpha[t - 1]![1]! * h.a[1]![j]!) * h.b[j]![days[t]!]!;
      }
    }
    for (let i = 0; i < 2; i++) beta[T - 1]![i] = h.e[i]!;
    for (let t = T - 2; t >= 0; t--) {
      for (let i = 0; i < 2; i++) {
        beta[t]![i] = [0, 1].reduce((s, j) => s + h.a[i]![j]! * h.b[j]![days[t + 1]!]! * beta[t + 1]![j]!, 0);
      }
    }
    const p = alpha[T - 1]![0]! * h.e[0]! + alpha[T - 1]![1]! * h.e[1]!;
    const gamma = alpha.map((a, t) => [0, 1].map((i) => (a[i]! * beta[t]![i]!) / p));
    const occupancy = [0, 1].map((i) => gamma.reduce((s, g) => s + g[i]!, 0));
    const next = {
      pi: gamma[0]!,
      a: [0, 1].map((i) =>
        [0, 1].map((j) => {
          let s = 0;
          for (let t = 0; t < T - 1; t++)
            s += (alpha[t]![i]! * h.a[i]![j]! * h.b[j]![days[t + 1]!]! * beta[t + 1]![j]!) / p;
          return s / occupancy[i]!;
        }),
      ),
      e: [0, 1].map((i) => gamma[T - 1]![i]! / occupancy[i]!),
      b: [0, 1].map((i) =>
        [0, 1, 2].map((k) => gamma.reduce((s, g, t) => s + (days[t] === k ? g[i]! : 0), 0) / occupancy[i]!),
      ),
    };
    return { p, next };
  }

  it('matches the spreadsheet computation at every one of 10 iterations, likelihood never decreasing', () => {
    const result = baumWelch(initial, [days], { maxIterations: 10, tolerance: 0 });
    expect(result.iterations).toBe(10);
    let h = {
      pi: [0.5, 0.5],
      a: [
        [0.8, 0.1],
        [0.1, 0.8],
      ],
      e: [0.1, 0.1],
      b: [
        [0.7, 0.2, 0.1],
        [0.1, 0.2, 0.7],
      ],
    };
    const expected: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { p, next } = spreadsheetIteration(h);
      expected.push(Math.log(p));
      h = next;
    }
    close(result.logLikelihoods, expected, 0, 1e-12);
    expectNonDecreasing(result.logLikelihoods);
    // The initial model gives the 33 days (and stopping) probability ~ 1e-19 .. 1e-18; EM raises it.
    expect(result.logLikelihoods[9]! - result.logLikelihoods[0]!).toBeGreaterThan(1);
    close(result.hmm.transitions, h.a.flat(), 1e-12);
    close(result.hmm.end!, h.e, 1e-12);
    close((result.hmm.emission as { probs: Float64Array }).probs, h.b.flat(), 1e-12);
    close(result.hmm.start, h.pi, 1e-12);
  });
});

// Durbin, Eddy, Krogh & Mitchison (1998), Biological Sequence Analysis, section 3.2.
const casino = createHmm({
  start: [0.5, 0.5],
  transitions: [
    [0.95, 0.05],
    [0.1, 0.9],
  ],
  emission: categoricalEmission([
    [1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6],
    [0.1, 0.1, 0.1, 0.1, 0.1, 0.5],
  ]),
});

describe('the occasionally dishonest casino', () => {
  it('Viterbi recovers the loaded stretches of 20,000 sampled rolls', () => {
    const { states, observations } = sampleHmm(casino, 20_000, { seed: 2024 });
    const { path } = viterbi(casino, observations);
    let right = 0;
    let fair = 0;
    for (let t = 0; t < path.length; t++) {
      if (path[t] === states[t]) right++;
      if (states[t] === 0) fair++;
    }
    // Calling every roll fair is right 2/3 of the time (the stationary share of the fair die).
    expect(right / path.length).toBeGreaterThan(0.75);
    expect(right / path.length).toBeGreaterThan(fair / path.length + 0.08);
    // Loaded stretches of 20 rolls or more are found: most of their rolls are decoded as loaded.
    let stretches = 0;
    let found = 0;
    for (let t = 0; t < states.length; ) {
      let u = t;
      while (u < states.length && states[u] === states[t]) u++;
      if (states[t] === 1 && u - t >= 20) {
        stretches++;
        let hits = 0;
        for (let i = t; i < u; i++) if (path[i] === 1) hits++;
        if (hits > (u - t) / 2) found++;
      }
      t = u;
    }
    expect(stretches).toBeGreaterThan(50);
    expect(found / stretches).toBeGreaterThan(0.7); // measured 0.79 for this seed
  });

  it('Baum-Welch on 50,000 rolls recovers the parameters from a rough start', () => {
    const { observations } = sampleHmm(casino, 50_000, { seed: 7 });
    const start = createHmm({
      start: [0.5, 0.5],
      transitions: [
        [0.8, 0.2],
        [0.2, 0.8],
      ],
      emission: categoricalEmission([
        [0.17, 0.17, 0.17, 0.17, 0.16, 0.16],
        [0.15, 0.15, 0.15, 0.15, 0.15, 0.25],
      ]),
    });
    const r = baumWelch(start, [observations], { maxIterations: 300, tolerance: 1e-5 });
    expectNonDecreasing(r.logLikelihoods);
    expect(r.converged).toBe(true);
    close(r.hmm.transitions, casino.transitions, 0.03);
    close(
      (r.hmm.emission as { probs: Float64Array }).probs,
      (casino.emission as { probs: Float64Array }).probs,
      0.03,
    );
    // and it fits at least as well as the truth
    expect(hmmLogLikelihood(r.hmm, observations)).toBeGreaterThan(hmmLogLikelihood(casino, observations) - 1);
  });
});

describe('Baum-Welch options and emission types', () => {
  const truth = createHmm({
    start: [0.6, 0.4],
    transitions: [
      [0.9, 0.1],
      [0.2, 0.8],
    ],
    emission: gaussianEmission({
      means: [
        [0, 0],
        [3, 2],
      ],
      covariances: [
        [
          [1, 0.5],
          [0.5, 1],
        ],
        [
          [0.5, -0.2],
          [-0.2, 0.8],
        ],
      ],
      covarianceType: 'full',
    }),
  });
  // Sequences of different lengths.
  const sequences = [3000, 1200, 800].map(
    (n, i) => sampleHmm(truth, n, { seed: 10 + i }).observations as Float64Array,
  );

  it.each(['full', 'diagonal'] as const)(
    'learns %s-covariance Gaussian emissions with non-decreasing likelihood',
    (covarianceType) => {
      const r = fitHmm(sequences, {
        numStates: 2,
        emission: { kind: 'gaussian', dim: 2, covarianceType },
        seed: 1,
        maxIterations: 200,
      });
      expectNonDecreasing(r.logLikelihoods);
      const means = r.hmm.emission.kind === 'gaussian' ? r.hmm.emission.means : new Float64Array(4);
      const order = means[0]! < means[2]! ? [0, 1] : [1, 0];
      // the diagonal model is misspecified for this full-covariance data, so its means are a little off
      const tol = covarianceType === 'full' ? 0.1 : 0.2;
      close(
        [means[order[0]! * 2]!, means[order[0]! * 2 + 1]!, means[order[1]! * 2]!, means[order[1]! * 2 + 1]!],
        [0, 0, 3, 2],
        tol,
      );
      close(r.hmm.transitions[order[0]! * 2 + order[0]!]!, 0.9, tol / 4);
    },
  );

  it('learns Gaussian-mixture emissions with non-decreasing likelihood', () => {
    const r = fitHmm(sequences, {
      numStates: 2,
      emission: { kind: 'gmm', dim: 2, numComponents: 2, covarianceType: 'diagonal' },
      seed: 3,
      maxIterations: 60,
    });
    expectNonDecreasing(r.logLikelihoods);
    expect(r.logLikelihoods.at(-1)! - r.logLikelihoods[0]!).toBeGreaterThan(0);
  });

  it('learns only the parameters asked for', () => {
    const r = baumWelch(truth, sequences, { maxIterations: 5, learn: ['transitions'] });
    expect(Array.from(r.hmm.start)).toEqual(Array.from(truth.start));
    expect(r.hmm.emission).toEqual(truth.emission);
    expect(Array.from(r.hmm.transitions)).not.toEqual(Array.from(truth.transitions));
    const means = baumWelch(truth, sequences, { maxIterations: 3, learn: ['means'] });
    const e = means.hmm.emission as typeof truth.emission & { covariances: Float64Array };
    expect(Array.from(e.covariances)).toEqual(
      Array.from((truth.emission as { covariances: Float64Array }).covariances),
    );
    const calls: number[] = [];
    baumWelch(truth, sequences, {
      maxIterations: 3,
      tolerance: 0,
      onIteration: ({ logLikelihood }) => calls.push(logLikelihood),
    });
    expect(calls.length).toBe(3);
  });

  it('initialises only what it is told to, keeping the rest of a given model', () => {
    const categorical: Hmm = casino;
    const { observations } = sampleHmm(casino, 2000, { seed: 3 });
    const r = fitHmm([observations], {
      initial: categorical,
      initialise: ['emissions'],
      learn: ['emissions'],
      maxIterations: 3,
      seed: 5,
    });
    expect(Array.from(r.hmm.transitions)).toEqual(Array.from(casino.transitions));
    expect(r.logLikelihoods.length).toBe(3);
  });

  it('gives the same result for the same seed', () => {
    const opts = {
      numStates: 3,
      emission: { kind: 'gaussian', dim: 2, covarianceType: 'diagonal' },
      seed: 9,
      maxIterations: 5,
    } as const;
    expect(fitHmm(sequences, opts).logLikelihoods).toEqual(fitHmm(sequences, opts).logLikelihoods);
  });

  it('explains training data that the model cannot produce', () => {
    const hmm = createHmm({
      start: [1, 0],
      transitions: [
        [1, 0],
        [0, 1],
      ],
      emission: categoricalEmission([
        [1, 0],
        [0, 1],
      ]),
    });
    expect(() =>
      baumWelch(hmm, [
        [0, 0],
        [0, 1],
      ]),
    ).toThrow(/training sequence 1: expected non-zero probability.*step 1/);
    expect(() => baumWelch(hmm, [])).toThrow(/training sequences: expected a non-empty array/);
    expect(() => fitHmm([[0, 1]], {})).toThrow(/either `initial` or both/);
  });
});

describe('a GMM HMM fits data a single Gaussian cannot', () => {
  it('beats the one-component model in log-likelihood', () => {
    const bimodal = createHmm({
      start: [1],
      transitions: [[1]],
      emission: gmmEmission({
        weights: [[0.5, 0.5]],
        means: [[[-3], [3]]],
        covariances: [[[1], [1]]],
        covarianceType: 'diagonal',
      }),
    });
    const x = sampleHmm(bimodal, 4000, { seed: 1 }).observations as Float64Array;
    const one = fitHmm([x], {
      numStates: 1,
      emission: { kind: 'gaussian', dim: 1, covarianceType: 'diagonal' },
      maxIterations: 20,
    });
    const two = fitHmm([x], {
      numStates: 1,
      emission: { kind: 'gmm', dim: 1, numComponents: 2, covarianceType: 'diagonal' },
      maxIterations: 100,
    });
    expect(two.logLikelihoods.at(-1)!).toBeGreaterThan(one.logLikelihoods.at(-1)! + 500);
  });
});
