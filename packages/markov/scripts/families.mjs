// One small example per model family (the README shows the same code). Run: pnpm build && node scripts/families.mjs
import {
  baumWelch,
  categoricalEmission,
  createHmm,
  createLds,
  fitLds,
  fitMarkovChain,
  rtsSmoother,
  sampleHmm,
  sampleLds,
  viterbi,
} from '../dist/index.js';

// Markov chain: a first-order chain over 3 symbols, fitted from a sequence.
const chain = fitMarkovChain([[0, 1, 2, 0, 1, 2, 0, 2, 1, 0, 1, 2]], {
  order: 1,
  numSymbols: 3,
  pseudocount: 0.5,
});
console.log(
  'stationary distribution',
  Array.from(chain.stationaryDistribution(), (p) => p.toFixed(3)).join(' '),
);
console.log('parameters', chain.parameterCount(), 'perplexity', chain.perplexity([[0, 1, 2, 0]]).toFixed(3));

// HMM: Durbin's occasionally dishonest casino.
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
const { states, observations } = sampleHmm(casino, 10_000, { seed: 1 });
const { path } = viterbi(casino, observations);
const right = path.reduce((n, s, t) => n + (s === states[t] ? 1 : 0), 0);
console.log(`casino: Viterbi labels ${((100 * right) / path.length).toFixed(1)}% of 10,000 rolls correctly`);
const rough = createHmm({
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
const fit = baumWelch(rough, [observations], { maxIterations: 500, tolerance: 1e-6 });
console.log(
  `Baum-Welch: ${fit.iterations} iterations, log-likelihood ${fit.logLikelihoods[0].toFixed(1)} -> ${fit.logLikelihoods.at(-1).toFixed(1)};`,
  `P(loaded -> fair) = ${fit.hmm.transitions[2].toFixed(3)}, P(6 | loaded) = ${fit.hmm.emission.probs[11].toFixed(3)}`,
);

// Linear dynamical system: a noisy 2-D constant-velocity track with missing observations.
const lds = createLds({
  transition: [
    [1, 1],
    [0, 1],
  ],
  transitionCov: [
    [0.01, 0],
    [0, 0.01],
  ],
  observation: [[1, 0]],
  observationCov: [[1]],
  initialMean: [0, 1],
  initialCov: [
    [1, 0],
    [0, 1],
  ],
});
const track = sampleLds(lds, 200, { seed: 2 });
for (let t = 50; t < 70; t++) track.observations[t] = Number.NaN; // a gap
const smooth = rtsSmoother(lds, track.observations);
let err = 0;
for (let t = 0; t < 200; t++) err += (smooth.smoothedMeans[t * 2] - track.states[t * 2]) ** 2;
console.log(
  `LDS: log-likelihood ${smooth.logLikelihood.toFixed(1)}, smoothed position RMSE ${Math.sqrt(err / 200).toFixed(3)} (observation noise sd 1)`,
);
const em = fitLds(
  { ...lds, transitionCov: Float64Array.of(1, 0, 0, 1), observationCov: Float64Array.of(5) },
  [track.observations],
  {
    maxIterations: 50,
    learn: ['transitionCov', 'observationCov'],
  },
);
console.log(
  `LDS EM: log-likelihood ${em.logLikelihoods[0].toFixed(1)} -> ${em.logLikelihoods.at(-1).toFixed(1)}, R = ${em.lds.observationCov[0].toFixed(3)}`,
);
