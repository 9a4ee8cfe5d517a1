import { InputError } from '@strand/base';
import { describe, expect, it } from 'vitest';
import { close } from '../test/helpers.js';
import { createMarkovChain, fitMarkovChain } from './markov-chain.js';

describe('Markov chains', () => {
  it('fits first-order transition counts by maximum likelihood', () => {
    // transitions 0->1, 1->1, 1->0, 0->0, 0->1 : from 0: {0:1, 1:2}; from 1: {0:1, 1:1}
    const chain = fitMarkovChain([[0, 1, 1, 0, 0, 1]], { order: 1, numSymbols: 2 });
    close(chain.transitions, [1 / 3, 2 / 3, 0.5, 0.5], 1e-15);
    close(chain.initial, [1, 0]);
    expect(chain.parameterCount()).toBe(2);
    // log P = log 1 + log(2/3) + log(1/2) + log(1/2) + log(1/3) + log(2/3)
    close(chain.logProb([0, 1, 1, 0, 0, 1]), Math.log((2 / 3) * 0.5 * 0.5 * (1 / 3) * (2 / 3)), 1e-14);
  });

  it('fits second-order chains with smoothing; parameterCount is K^M (K - 1)', () => {
    const seqs = [
      [0, 1, 2, 0, 1, 2, 0, 1],
      [2, 1, 0, 2],
    ];
    const chain = fitMarkovChain(seqs, { order: 2, numSymbols: 3, pseudocount: 0.5 });
    expect(chain.parameterCount()).toBe(9 * 2);
    expect(chain.transitionShape).toEqual([3, 3, 3]);
    // context (0, 1) is followed by 2 twice: (2 + 0.5) / (2 + 1.5)
    close(chain.transitionProbability([0, 1], 2), 2.5 / 3.5, 1e-15);
    close(chain.transitionProbability([0, 1], 0), 0.5 / 3.5, 1e-15);
    // an unseen context is uniform
    close(chain.transitionProbability([2, 2], 1), 1 / 3, 1e-15);
    for (let r = 0; r < 9; r++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += chain.transitions[r * 3 + j]!;
      close(s, 1, 1e-14);
    }
    // initial: (0,1) and (2,1) seen once each, plus 0.5 for all 9 tuples -> 1.5 / 6.5
    close(chain.initial[0 * 3 + 1]!, 1.5 / 6.5, 1e-15);
  });

  it('computes the stationary distribution of a first-order chain', () => {
    // Two-state chain: π = (b, a) / (a + b) for P = [[1-a, a], [b, 1-b]].
    const chain = createMarkovChain({
      order: 1,
      numSymbols: 2,
      transitions: [
        [0.9, 0.1],
        [0.3, 0.7],
      ],
    });
    close(chain.stationaryDistribution(), [0.75, 0.25], 1e-14);
    // periodic chain: still unique
    const periodic = createMarkovChain({
      order: 1,
      numSymbols: 2,
      transitions: [
        [0, 1],
        [1, 0],
      ],
    });
    close(periodic.stationaryDistribution(), [0.5, 0.5], 1e-14);
    const reducible = createMarkovChain({
      order: 1,
      numSymbols: 2,
      transitions: [
        [1, 0],
        [0, 1],
      ],
    });
    expect(() => reducible.stationaryDistribution()).toThrow(/not unique/);
  });

  it('samples the same sequence for the same seed, with the right transition frequencies', () => {
    const chain = createMarkovChain({
      order: 1,
      numSymbols: 2,
      transitions: [
        [0.9, 0.1],
        [0.3, 0.7],
      ],
    });
    const a = chain.sample(50_000, { seed: 7 });
    expect(Array.from(chain.sample(100, { seed: 7 }))).toEqual(Array.from(a.subarray(0, 100)));
    const refit = fitMarkovChain([a], { order: 1, numSymbols: 2 });
    close(refit.transitions, chain.transitions, 0.02);
    // a low temperature makes the likelier transition more likely still
    const cold = fitMarkovChain([chain.sample(20_000, { seed: 1, temperature: 0.5 })], {
      order: 1,
      numSymbols: 2,
    });
    expect(cold.transitions[0]!).toBeGreaterThan(0.95); // 0.81 / (0.81 + 0.01) = 0.988
  });

  it('handles order 0 and sequences shorter than the order', () => {
    const iid = fitMarkovChain([[0, 0, 1, 2]], { order: 0, numSymbols: 3 });
    expect(iid.parameterCount()).toBe(2);
    close(iid.logProb([0, 1]), Math.log(0.5 * 0.25), 1e-15);
    const chain = createMarkovChain({
      order: 2,
      numSymbols: 2,
      transitions: [
        [0.5, 0.5],
        [0.5, 0.5],
        [0.5, 0.5],
        [0.5, 0.5],
      ],
      initial: [0.1, 0.2, 0.3, 0.4],
    });
    close(chain.logProb([1]), Math.log(0.7), 1e-15); // P(x0 = 1) = initial(1,0) + initial(1,1)
    close(chain.perplexity([[0, 1, 1]]), Math.exp(-(Math.log(0.2) + Math.log(0.5)) / 3), 1e-14);
  });

  it('rejects bad input with errors naming the problem', () => {
    expect(() =>
      createMarkovChain({
        order: 1,
        numSymbols: 2,
        transitions: [
          [0.5, 0.6],
          [0.5, 0.5],
        ],
      }),
    ).toThrow(/row 0 of transitions: expected probabilities summing to 1, received a sum of 1.1/);
    const chain = createMarkovChain({
      order: 1,
      numSymbols: 2,
      transitions: [
        [0.5, 0.5],
        [0.5, 0.5],
      ],
    });
    expect(() => chain.logProb([0, 2])).toThrow(InputError);
    expect(() => chain.logProb([0, 2])).toThrow(/position 1 .*expected an integer in \[0, 2\), received 2/);
    expect(() => fitMarkovChain([], { order: 1, numSymbols: 2 })).toThrow(/non-empty array/);
    expect(() => fitMarkovChain([[]], { order: 1, numSymbols: 2 })).toThrow(/empty sequence/);
    expect(() => chain.sample(5, { temperature: 0 })).toThrow(/temperature/);
  });
});
