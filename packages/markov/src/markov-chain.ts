/**
 * Discrete Markov chains of order M over K symbols: P(x_t | x_{t-M} .. x_{t-1}).
 * A context (the last M symbols) is indexed as a base-K number, oldest symbol most significant:
 * ctx = x_{t-M} K^{M-1} + ... + x_{t-1}.
 */
import {
  InputError,
  nonNegativeInteger,
  perplexityFromLogProb,
  positiveInteger,
  positiveNumber,
  Rng,
  type SampleOptions,
  type Sequence,
  type SequenceModel,
} from '@strand/base';
import { checkDistribution, checkSequences, toMatrix, toSymbols } from './checks.js';
import { solve } from './linalg.js';

export interface MarkovChainData {
  /** M >= 0; order 0 is an i.i.d. model. */
  readonly order: number;
  /** K, the alphabet size. */
  readonly numSymbols: number;
  /** [K^M]: distribution of the first M symbols of a sequence, indexed like a context. */
  readonly initial: Float64Array;
  /** [K^M, K]: row ctx is P(next | context ctx). The transition tensor of shape [K, ..., K] (M + 1 axes). */
  readonly transitions: Float64Array;
}

export interface MarkovChainInit {
  readonly order: number;
  readonly numSymbols: number;
  /** [K^M, K] as rows or flat; each row must sum to 1. */
  readonly transitions: readonly (readonly number[])[] | Float64Array | readonly number[];
  /** [K^M]; defaults to uniform. */
  readonly initial?: readonly number[] | Float64Array;
}

export interface FitMarkovChainOptions {
  readonly order: number;
  readonly numSymbols: number;
  /** Added to every transition and initial count (additive / Lidstone smoothing). Default 0 (maximum likelihood). */
  readonly pseudocount?: number;
}

const MAX_TABLE = 1 << 26;

function contextCount(order: number, numSymbols: number): number {
  const n = numSymbols ** order;
  if (n * numSymbols > MAX_TABLE) {
    throw new InputError({
      what: 'order and numSymbols',
      expected: `K^(M+1) <= ${MAX_TABLE} transition entries`,
      received: `K=${numSymbols}, M=${order}: ${n * numSymbols}`,
      hint: 'use an n-gram language model (sparse counts) for large alphabets or orders',
    });
  }
  return n;
}

export class MarkovChain implements SequenceModel, MarkovChainData {
  readonly order: number;
  readonly numSymbols: number;
  readonly initial: Float64Array;
  readonly transitions: Float64Array;
  private readonly numContexts: number;

  /** Use `createMarkovChain` (validated) or `fitMarkovChain`. */
  constructor(data: MarkovChainData) {
    this.order = data.order;
    this.numSymbols = data.numSymbols;
    this.initial = data.initial;
    this.transitions = data.transitions;
    this.numContexts = data.initial.length;
  }

  /** Shape of the transition tensor: [K, ..., K] with M + 1 axes (the last axis is the next symbol). */
  get transitionShape(): number[] {
    return new Array<number>(this.order + 1).fill(this.numSymbols);
  }

  /** Number of free transition parameters: K^M (K - 1). The initial distribution is not counted. */
  parameterCount(): number {
    return this.numContexts * (this.numSymbols - 1);
  }

  /** P(next | context), context = the last M symbols, oldest first. */
  transitionProbability(context: Sequence, next: number): number {
    if (context.length !== this.order) {
      throw new InputError({
        what: 'context',
        expected: `${this.order} symbols (the chain's order)`,
        received: `${context.length}`,
      });
    }
    const ctx = toSymbols(context, this.numSymbols, 'context');
    const nxt = toSymbols([next], this.numSymbols, 'next symbol')[0]!;
    let index = 0;
    for (let i = 0; i < ctx.length; i++) index = index * this.numSymbols + ctx[i]!;
    return this.transitions[index * this.numSymbols + nxt]!;
  }

  /**
   * Σ_{t >= M} log P(x_t | x_{t-M..t-1}): the likelihood conditional on the first M symbols,
   * the one that `parameterCount()` belongs to (use it for AIC/BIC order selection).
   */
  conditionalLogLikelihood(sequence: Sequence): number {
    const x = toSymbols(sequence, this.numSymbols);
    const k = this.numSymbols;
    let ctx = 0;
    let ll = 0;
    for (let t = 0; t < x.length; t++) {
      if (t >= this.order) ll += Math.log(this.transitions[ctx * k + x[t]!]!);
      ctx = this.order === 0 ? 0 : (ctx * k + x[t]!) % this.numContexts;
    }
    return ll;
  }

  /** log P(sequence): the initial distribution of the first M symbols, then transitions. */
  logProb(sequence: Sequence): number {
    const x = toSymbols(sequence, this.numSymbols);
    const m = this.order;
    const k = this.numSymbols;
    if (x.length < m) {
      // Marginal of the initial distribution over the tuples that start with x.
      let base = 0;
      for (let i = 0; i < x.length; i++) base = base * k + x[i]!;
      const span = k ** (m - x.length);
      base *= span;
      let p = 0;
      for (let i = 0; i < span; i++) p += this.initial[base + i]!;
      return Math.log(p);
    }
    let ctx = 0;
    for (let i = 0; i < m; i++) ctx = ctx * k + x[i]!;
    return Math.log(this.initial[ctx]!) + this.conditionalLogLikelihood(x);
  }

  perplexity(sequences: readonly Sequence[]): number {
    checkSequences(sequences);
    let ll = 0;
    let n = 0;
    for (const s of sequences) {
      ll += this.logProb(s);
      n += s.length;
    }
    return perplexityFromLogProb(ll, n);
  }

  sample(length: number, options: SampleOptions = {}): Int32Array {
    nonNegativeInteger(length, 'length');
    const temperature = positiveNumber(options.temperature ?? 1, 'temperature');
    const rng = new Rng(options.seed ?? 0);
    const k = this.numSymbols;
    const m = this.order;
    const out = new Int32Array(length);
    const tempered = (p: Float64Array, offset: number, n: number, buf: Float64Array): number => {
      if (temperature === 1) return rng.categorical(p, offset, n);
      for (let i = 0; i < n; i++) buf[i] = p[offset + i]! ** (1 / temperature);
      return rng.categorical(buf, 0, n);
    };
    const buf = new Float64Array(Math.max(k, temperature === 1 ? 0 : this.numContexts));
    let ctx = tempered(this.initial, 0, this.numContexts, buf);
    for (let i = m - 1; i >= 0; i--) {
      const symbol = Math.floor(ctx / k ** (m - 1 - i)) % k;
      if (i < length) out[i] = symbol;
    }
    for (let t = m; t < length; t++) {
      const next = tempered(this.transitions, ctx * k, k, buf);
      out[t] = next;
      ctx = m === 0 ? 0 : (ctx * k + next) % this.numContexts;
    }
    return out;
  }

  /**
   * The stationary distribution π (π P = π, Σ π = 1) of a first-order chain, by solving the
   * linear system. Throws when it is not unique (a reducible chain with several closed classes).
   */
  stationaryDistribution(): Float64Array {
    const k = this.numSymbols;
    if (this.order === 0) return this.transitions.slice(0, k);
    if (this.order !== 1) {
      throw new InputError({
        what: 'stationaryDistribution',
        expected: 'a first-order chain',
        received: `order ${this.order}`,
        hint: 'lift an order-M chain to a first-order chain over K^M tuples first',
      });
    }
    // Rows 0..K-2 of (Pᵀ - I) π = 0, last row replaced by Σ π = 1.
    const a = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i * k + j] = this.transitions[j * k + i]! - (i === j ? 1 : 0);
    }
    for (let j = 0; j < k; j++) a[(k - 1) * k + j] = 1;
    const b = new Float64Array(k);
    b[k - 1] = 1;
    const pi = solve(a, b, k);
    if (pi === null) {
      throw new InputError({
        what: 'stationaryDistribution',
        expected: 'an irreducible chain (one stationary distribution)',
        received: 'a chain with several closed classes, whose stationary distribution is not unique',
      });
    }
    for (let i = 0; i < k; i++) if (pi[i]! < 0) pi[i] = 0; // rounding
    return pi;
  }
}

/** A chain from given probabilities; every row of `transitions` (and `initial`) must sum to 1. */
export function createMarkovChain(init: MarkovChainInit): MarkovChain {
  nonNegativeInteger(init.order, 'order');
  positiveInteger(init.numSymbols, 'numSymbols');
  const contexts = contextCount(init.order, init.numSymbols);
  const k = init.numSymbols;
  const transitions = toMatrix(init.transitions, contexts, k, 'transitions');
  for (let r = 0; r < contexts; r++) checkDistribution(transitions, `row ${r} of transitions`, r * k, k);
  const initial = init.initial
    ? toMatrix(init.initial as readonly number[], 1, contexts, 'initial')
    : new Float64Array(contexts).fill(1 / contexts);
  checkDistribution(initial, 'initial');
  return new MarkovChain({ order: init.order, numSymbols: k, initial, transitions });
}

/**
 * Maximum-likelihood (or additively smoothed) chain from sequences. Rows of contexts never seen
 * (with pseudocount 0) are uniform. Sequences shorter than M + 1 symbols add no transitions.
 */
export function fitMarkovChain(sequences: readonly Sequence[], options: FitMarkovChainOptions): MarkovChain {
  const { order, numSymbols } = options;
  const alpha = options.pseudocount ?? 0;
  nonNegativeInteger(order, 'order');
  positiveInteger(numSymbols, 'numSymbols');
  if (!(alpha >= 0) || !Number.isFinite(alpha)) {
    throw new InputError({
      what: 'pseudocount',
      expected: 'a finite number >= 0',
      received: String(alpha),
    });
  }
  checkSequences(sequences);
  const contexts = contextCount(order, numSymbols);
  const k = numSymbols;
  const trans = new Float64Array(contexts * k);
  const init = new Float64Array(contexts);
  let starts = 0;
  sequences.forEach((sequence, n) => {
    const x = toSymbols(sequence, k, `sequence ${n}`);
    let ctx = 0;
    for (let t = 0; t < x.length; t++) {
      if (t === order) {
        init[ctx]!++;
        starts++;
      }
      if (t >= order) trans[ctx * k + x[t]!]!++;
      ctx = order === 0 ? 0 : (ctx * k + x[t]!) % contexts;
    }
    if (x.length === order) {
      init[ctx]!++;
      starts++;
    }
  });
  if (starts === 0 && alpha === 0) {
    throw new InputError({
      what: 'sequences',
      expected: `at least one sequence of ${order} or more symbols`,
      received: 'only shorter ones',
    });
  }
  for (let r = 0; r < contexts; r++) {
    let total = 0;
    for (let j = 0; j < k; j++) total += trans[r * k + j]! + alpha;
    for (let j = 0; j < k; j++) trans[r * k + j] = total > 0 ? (trans[r * k + j]! + alpha) / total : 1 / k;
  }
  const initTotal = starts + alpha * contexts;
  for (let r = 0; r < contexts; r++) init[r] = (init[r]! + alpha) / initTotal;
  return new MarkovChain({ order, numSymbols: k, initial: init, transitions: trans });
}
