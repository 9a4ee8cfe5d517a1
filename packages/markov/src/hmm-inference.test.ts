import { InputError, Rng } from '@strand/base';
import { describe, expect, it } from 'vitest';
import { close } from '../test/helpers.js';
import { bruteForce } from '../test/hmm-reference.js';
import { categoricalEmission, gaussianEmission, gmmEmission } from './emission.js';
import { NotPositiveDefiniteError } from './errors.js';
import { createHmm, type Hmm } from './hmm.js';
import { backwardLog, forwardBackward, forwardLog, hmmLogLikelihood } from './hmm-inference.js';
import { hmmSequenceModel, sampleHmm } from './hmm-sample.js';
import { cholesky, gaussianLogDensity, logDetFromCholesky } from './linalg.js';
import { viterbi } from './viterbi.js';

const H = 0;
const F = 1;

describe('Viterbi on the Wikipedia Healthy/Fever example', () => {
  // https://en.wikipedia.org/wiki/Viterbi_algorithm#Example
  const hmm = createHmm({
    start: [0.6, 0.4],
    transitions: [
      [0.7, 0.3],
      [0.4, 0.6],
    ],
    emission: categoricalEmission([
      [0.5, 0.4, 0.1], // Healthy: normal, cold, dizzy
      [0.1, 0.3, 0.6], // Fever
    ]),
  });

  it('decodes normal, cold, dizzy as Healthy, Healthy, Fever with probability 0.01512', () => {
    const { path, logProb } = viterbi(hmm, [0, 1, 2]);
    expect(Array.from(path)).toEqual([H, H, F]);
    close(Math.exp(logProb), 0.01512, 1e-15);
  });

  it('has the forward probability P(normal, cold, dizzy) = 0.03628', () => {
    // Σ over the 8 paths, done by hand in the forward trellis:
    // α1 = (.30, .04); α2 = ((.3*.7 + .04*.4)*.4, (.3*.3 + .04*.6)*.3) = (.0904, .0342)
    // α3 = ((.0904*.7 + .0342*.4)*.1, (.0904*.3 + .0342*.6)*.6) = (.007696, .028584) -> .03628
    close(Math.exp(hmmLogLikelihood(hmm, [0, 1, 2])), 0.03628, 1e-15);
  });
});

function randomCategoricalHmm(S: number, K: number, seed: number, withEnd: boolean): Hmm {
  const rng = new Rng(seed);
  const row = (n: number, mass = 1): number[] => {
    const v = Array.from({ length: n }, () => 0.1 + rng.float());
    const s = v.reduce((a, b) => a + b, 0);
    return v.map((x) => (x / s) * mass);
  };
  const end = withEnd ? Array.from({ length: S }, () => 0.05 + 0.3 * rng.float()) : undefined;
  return createHmm({
    start: row(S),
    transitions: Array.from({ length: S }, (_, i) => row(S, end ? 1 - end[i]! : 1)),
    end,
    emission: categoricalEmission(Array.from({ length: S }, () => row(K))),
  });
}

describe.each([false, true])('categorical HMM against brute force (stop probabilities: %s)', (withEnd) => {
  const hmm = randomCategoricalHmm(3, 4, withEnd ? 2 : 1, withEnd);
  const obs = [0, 3, 3, 1, 2, 0, 1];
  const probs = (hmm.emission as { probs: Float64Array }).probs;
  const ref = bruteForce(hmm.start, hmm.transitions, hmm.end, 3, obs.length, (t, s) =>
    Math.log(probs[s * 4 + obs[t]!]!),
  );

  it('gives the exact likelihood, posteriors and best path of all 3^7 paths', () => {
    const fb = forwardBackward(hmm, obs);
    close(fb.logLikelihood, ref.logLikelihood, 1e-12, 1e-13);
    close(fb.posteriors, ref.posteriors.flat(), 1e-13);
    const v = viterbi(hmm, obs);
    expect(Array.from(v.path)).toEqual(ref.bestPath);
    close(v.logProb, ref.bestLogProb, 1e-12, 1e-13);
  });

  it('log-space forward and backward agree with the scaled recursions', () => {
    const { logAlpha, logLikelihood } = forwardLog(hmm, obs);
    const { logBeta } = backwardLog(hmm, obs);
    close(logLikelihood, ref.logLikelihood, 1e-12, 1e-13);
    const post = Array.from(logAlpha, (a, i) => Math.exp(a + logBeta[i]! - logLikelihood));
    close(post, ref.posteriors.flat(), 1e-12);
  });
});

describe('Gaussian and mixture emissions against brute force', () => {
  const rng = new Rng(5);
  const T = 8;
  const obs = Array.from({ length: T }, () => [rng.normal() * 2, rng.normal() + 1]);
  const start = [0.3, 0.7];
  const transitions = [
    [0.8, 0.2],
    [0.35, 0.65],
  ];
  const full = [
    [
      [1.0, 0.3],
      [0.3, 0.5],
    ],
    [
      [2.0, -0.4],
      [-0.4, 1.5],
    ],
  ];
  const means = [
    [0, 0.5],
    [1, 1.5],
  ];
  const density = (x: number[], mean: number[], cov: number[][]): number => {
    const l = cholesky(Float64Array.from(cov.flat()), 2);
    return gaussianLogDensity(
      x,
      0,
      Float64Array.from(mean),
      0,
      l,
      logDetFromCholesky(l, 2),
      2,
      new Float64Array(2),
    );
  };

  it.each(['full', 'diagonal'] as const)('%s covariance', (covarianceType) => {
    const covs = covarianceType === 'full' ? full : full.map((m) => [m[0]![0]!, m[1]![1]!]);
    const hmm = createHmm({
      start,
      transitions,
      emission: gaussianEmission({ means, covariances: covs, covarianceType }),
    });
    const dense =
      covarianceType === 'full'
        ? full
        : full.map((m) => [
            [m[0]![0]!, 0],
            [0, m[1]![1]!],
          ]);
    const ref = bruteForce(
      Float64Array.from(start),
      Float64Array.from(transitions.flat()),
      null,
      2,
      T,
      (t, s) => density(obs[t]!, means[s]!, dense[s]!),
    );
    const fb = forwardBackward(hmm, obs);
    close(fb.logLikelihood, ref.logLikelihood, 1e-12, 1e-12);
    close(fb.posteriors, ref.posteriors.flat(), 1e-12);
    expect(Array.from(viterbi(hmm, obs).path)).toEqual(ref.bestPath);
    // flat Float64Array input gives the same answer
    close(hmmLogLikelihood(hmm, Float64Array.from(obs.flat())), ref.logLikelihood, 1e-12, 1e-12);
  });

  it('Gaussian mixture emissions', () => {
    const weights = [
      [0.4, 0.6],
      [0.9, 0.1],
    ];
    const gmeans = [
      [
        [0, 0],
        [1, 1],
      ],
      [
        [-1, 2],
        [2, 0],
      ],
    ];
    const hmm = createHmm({
      start,
      transitions,
      emission: gmmEmission({
        weights,
        means: gmeans,
        covariances: [full, [full[1]!, full[0]!]],
        covarianceType: 'full',
      }),
    });
    const covOf = (s: number, m: number) => (s === 0 ? full[m]! : [full[1]!, full[0]!][m]!);
    const ref = bruteForce(
      Float64Array.from(start),
      Float64Array.from(transitions.flat()),
      null,
      2,
      T,
      (t, s) =>
        Math.log(
          weights[s]![0]! * Math.exp(density(obs[t]!, gmeans[s]![0]!, covOf(s, 0))) +
            weights[s]![1]! * Math.exp(density(obs[t]!, gmeans[s]![1]!, covOf(s, 1))),
        ),
    );
    const fb = forwardBackward(hmm, obs);
    close(fb.logLikelihood, ref.logLikelihood, 1e-12, 1e-12);
    close(fb.posteriors, ref.posteriors.flat(), 1e-12);
  });
});

describe('long sequences', () => {
  it('gives a finite log-likelihood for 1,000,000 steps, equal to the log-space forward', () => {
    const hmm = randomCategoricalHmm(3, 5, 7, false);
    const { observations } = sampleHmm(hmm, 1_000_000, { seed: 1 });
    const scaled = hmmLogLikelihood(hmm, observations as Int32Array);
    const logSpace = forwardLog(hmm, observations as Int32Array).logLikelihood;
    expect(Number.isFinite(scaled)).toBe(true);
    expect(scaled).toBeLessThan(-1e5);
    close(scaled, logSpace, 0, 1e-6);
    expect(Math.abs(scaled - logSpace) / Math.abs(logSpace)).toBeLessThan(1e-10); // in fact much closer
  });
});

describe('sampling and the SequenceModel view', () => {
  it('samples reproducibly and with the right frequencies; temperature sharpens', () => {
    const hmm = randomCategoricalHmm(2, 3, 3, false);
    const a = sampleHmm(hmm, 1000, { seed: 9 });
    expect(Array.from(sampleHmm(hmm, 1000, { seed: 9 }).observations)).toEqual(Array.from(a.observations));
    const big = sampleHmm(hmm, 100_000, { seed: 2 });
    let stay = 0;
    let from0 = 0;
    for (let t = 1; t < big.states.length; t++) {
      if (big.states[t - 1] === 0) {
        from0++;
        if (big.states[t] === 0) stay++;
      }
    }
    close(stay / from0, hmm.transitions[0]!, 0.01);
    const model = hmmSequenceModel(hmm as Hmm<ReturnType<typeof categoricalEmission>>);
    const seq = model.sample(20, { seed: 4 });
    close(model.logProb(seq), hmmLogLikelihood(hmm, seq), 1e-12);
    close(model.perplexity([seq]), Math.exp(-model.logProb(seq) / 20), 1e-12);
  });

  it('stops early when the model has stop probabilities', () => {
    const hmm = randomCategoricalHmm(2, 3, 4, true);
    const { states, observations } = sampleHmm(hmm, 10_000, { seed: 1 });
    expect(states.length).toBeLessThan(100); // stop probability >= 0.05 per step
    expect(observations.length).toBe(states.length);
  });
});

describe('bad input', () => {
  it('rejects rows that do not sum to 1, symbols outside the alphabet and empty sequences', () => {
    expect(() =>
      createHmm({
        start: [0.5, 0.5],
        transitions: [
          [0.5, 0.4],
          [0.5, 0.5],
        ],
        emission: categoricalEmission([
          [1, 0],
          [0, 1],
        ]),
      }),
    ).toThrow(/row 0 of transitions: expected probabilities summing to 1, received a sum of 0.9/);
    expect(() => categoricalEmission([[0.5, 0.6]])).toThrow(/emission probabilities of state 0/);
    const hmm = randomCategoricalHmm(2, 3, 1, false);
    expect(() => hmmLogLikelihood(hmm, [0, 3])).toThrow(InputError);
    expect(() => hmmLogLikelihood(hmm, [0, 3])).toThrow(
      /position 1 of observations: expected an integer in \[0, 3\), received 3/,
    );
    expect(() => hmmLogLikelihood(hmm, [])).toThrow(/at least one step/);
  });

  it('names the state whose covariance is not positive definite', () => {
    const make = () =>
      createHmm({
        start: [0.5, 0.5],
        transitions: [
          [0.5, 0.5],
          [0.5, 0.5],
        ],
        emission: gaussianEmission({
          means: [
            [0, 0],
            [1, 1],
          ],
          covariances: [
            [
              [1, 0],
              [0, 1],
            ],
            [
              [1, 2],
              [2, 1],
            ],
          ],
          covarianceType: 'full',
        }),
      });
    expect(make).toThrow(NotPositiveDefiniteError);
    expect(make).toThrow(/covariance of state 1: expected a symmetric positive-definite matrix/);
    expect(() =>
      gaussianEmission({ means: [[0]], covariances: [[-1]], covarianceType: 'diagonal' }),
    ).not.toThrow(); // checked when used:
    expect(() =>
      createHmm({
        start: [1],
        transitions: [[1]],
        emission: gaussianEmission({ means: [[0]], covariances: [[-1]], covarianceType: 'diagonal' }),
      }),
    ).toThrow(/variance 0 of state 0: expected a finite number > 0, received -1/);
  });

  it('explains an observation that no path can produce', () => {
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
    expect(hmmLogLikelihood(hmm, [0, 1])).toBe(Number.NEGATIVE_INFINITY);
    expect(() => forwardBackward(hmm, [0, 1])).toThrow(/step 1, which has probability 0/);
    expect(() => viterbi(hmm, [0, 1])).toThrow(/every path gives probability 0/);
  });
});
