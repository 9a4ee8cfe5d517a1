import { describe, expect, it } from 'vitest';
import { close } from '../test/helpers.js';
import { categoricalEmission, gaussianEmission } from './emission.js';
import { createHmm } from './hmm.js';
import { fitHmm } from './hmm-init.js';
import { sampleHmm } from './hmm-sample.js';
import { fitHmmSupervised } from './hmm-supervised.js';
import { aic, bic, hmmParameterCount } from './model-selection.js';

describe('supervised HMM training', () => {
  it('counts starts, transitions, stops and emissions, with add-k smoothing', () => {
    // states 0 0 1 emitting a b b; states 1 0 emitting b a
    const hmm = fitHmmSupervised(
      [
        [0, 1, 1],
        [1, 0],
      ],
      [
        [0, 0, 1],
        [1, 0],
      ],
      { numStates: 2, emission: { kind: 'categorical', numSymbols: 2 }, pseudocount: 1, withEnd: true },
    );
    close(hmm.start, [2 / 4, 2 / 4]); // (1 + 1) / 4 each
    // from 0: to 0 once, to 1 once, stop once (+1 each): 2/6 each; from 1: to 0 once, stop once: 2/5, 1/5, stop 2/5
    close(hmm.transitions, [2 / 6, 2 / 6, 2 / 5, 1 / 5], 1e-15);
    close(hmm.end!, [2 / 6, 2 / 5], 1e-15);
    // state 0 emitted a twice, b once: (2+1)/5, (1+1)/5; state 1 emitted b twice: 1/4, 3/4
    close((hmm.emission as { probs: Float64Array }).probs, [3 / 5, 2 / 5, 1 / 4, 3 / 4], 1e-15);
  });

  it('recovers the generating parameters from long labelled samples', () => {
    const truth = createHmm({
      start: [0.5, 0.5],
      transitions: [
        [0.95, 0.05],
        [0.1, 0.9],
      ],
      emission: gaussianEmission({
        means: [[0], [2]],
        covariances: [[1], [0.25]],
        covarianceType: 'diagonal',
      }),
    });
    const { states, observations } = sampleHmm(truth, 50_000, { seed: 1 });
    const fit = fitHmmSupervised([observations], [states], {
      numStates: 2,
      emission: { kind: 'gaussian', dim: 1, covarianceType: 'diagonal' },
    });
    close(fit.transitions, truth.transitions, 0.01);
    const e = fit.emission as { means: Float64Array; covariances: Float64Array };
    close(e.means, [0, 2], 0.03);
    close(e.covariances, [1, 0.25], 0.03);
  });

  it('rejects labels that do not match the sequences', () => {
    const opts = { numStates: 2, emission: { kind: 'categorical', numSymbols: 2 } } as const;
    expect(() => fitHmmSupervised([[0, 1]], [[0]], opts)).toThrow(/labels of sequence 0: expected 2 labels/);
    expect(() => fitHmmSupervised([[0, 1]], [[0, 2]], opts)).toThrow(/position 1 of labels of sequence 0/);
    expect(() => fitHmmSupervised([[0, 1]], [], opts)).toThrow(/expected 1 label sequences/);
  });
});

describe('model selection', () => {
  it('counts parameters and computes AIC and BIC', () => {
    const hmm = createHmm({
      start: [0.5, 0.5],
      transitions: [
        [0.5, 0.5],
        [0.5, 0.5],
      ],
      emission: categoricalEmission([
        [0.2, 0.8, 0],
        [0.3, 0.3, 0.4],
      ]),
    });
    expect(hmmParameterCount(hmm)).toBe(1 + 2 + 4);
    expect(aic(-10, 7)).toBe(34);
    close(bic(-10, 7, 100), 7 * Math.log(100) + 20, 1e-12);
  });

  it('BIC picks the true number of states of a Gaussian HMM', () => {
    const truth = createHmm({
      start: [1 / 3, 1 / 3, 1 / 3],
      transitions: [
        [0.9, 0.05, 0.05],
        [0.05, 0.9, 0.05],
        [0.05, 0.05, 0.9],
      ],
      emission: gaussianEmission({
        means: [[-4], [0], [4]],
        covariances: [[1], [1], [1]],
        covarianceType: 'diagonal',
      }),
    });
    const x = sampleHmm(truth, 3000, { seed: 3 }).observations as Float64Array;
    // EM finds local optima: keep the best of three seeded restarts per size, as in practice.
    const scores = [1, 2, 3, 4].map((S) => {
      const fits = [1, 2, 3].map((seed) =>
        fitHmm([x], {
          numStates: S,
          emission: { kind: 'gaussian', dim: 1, covarianceType: 'diagonal' },
          seed,
          maxIterations: 100,
        }),
      );
      const r = fits.reduce((a, f) => (f.logLikelihoods.at(-1)! > a.logLikelihoods.at(-1)! ? f : a));
      return bic(r.logLikelihoods.at(-1)!, hmmParameterCount(r.hmm), 3000);
    });
    expect(scores.indexOf(Math.min(...scores))).toBe(2);
  });
});
