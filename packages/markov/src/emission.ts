/**
 * Emission distributions of hidden Markov models, as plain data (a union tagged by `kind`):
 * categorical, Gaussian (diagonal or full covariance) and Gaussian mixtures.
 */
import { describeValue, InputError, positiveInteger, type Sequence } from '@strand/base';
import { checkDistribution, toMatrix, toSymbols } from './checks.js';
import { type CovarianceType, covarianceSize } from './gaussian-components.js';

export type { CovarianceType } from './gaussian-components.js';

export interface CategoricalEmission {
  readonly kind: 'categorical';
  readonly numStates: number;
  readonly numSymbols: number;
  /** [S, K]: row s is P(symbol | state s). */
  readonly probs: Float64Array;
}

export interface GaussianEmission {
  readonly kind: 'gaussian';
  readonly numStates: number;
  readonly dim: number;
  readonly covarianceType: CovarianceType;
  /** [S, D] */
  readonly means: Float64Array;
  /** [S, D] variances (diagonal) or [S, D, D] (full). */
  readonly covariances: Float64Array;
}

export interface GmmEmission {
  readonly kind: 'gmm';
  readonly numStates: number;
  readonly numComponents: number;
  readonly dim: number;
  readonly covarianceType: CovarianceType;
  /** [S, M] mixture weights; each row sums to 1. */
  readonly weights: Float64Array;
  /** [S, M, D] */
  readonly means: Float64Array;
  /** [S, M, D] (diagonal) or [S, M, D, D] (full). */
  readonly covariances: Float64Array;
}

export type Emission = CategoricalEmission | GaussianEmission | GmmEmission;

/**
 * Observations of one sequence: symbol ids for categorical emissions; for continuous ones a
 * Float64Array of T * D values (row-major), or T rows of D numbers (or T numbers when D = 1).
 */
export type Observations = Sequence | Float64Array | readonly (readonly number[])[];

/** Observations checked and flattened: `symbols` for categorical emissions, `values` [T, D] otherwise. */
export interface Frames {
  readonly length: number;
  readonly symbols: Int32Array | null;
  readonly values: Float64Array | null;
}

type Rows = readonly (readonly number[])[] | Float64Array | readonly number[];

export function categoricalEmission(
  probs: Rows,
  shape?: { numStates: number; numSymbols: number },
): CategoricalEmission {
  const numStates = shape?.numStates ?? (probs as readonly unknown[]).length;
  const numSymbols = shape?.numSymbols ?? (probs as readonly (readonly number[])[])[0]?.length ?? 0;
  positiveInteger(numStates, 'number of states');
  positiveInteger(numSymbols, 'number of symbols');
  const p = toMatrix(probs, numStates, numSymbols, 'emission probabilities');
  for (let s = 0; s < numStates; s++)
    checkDistribution(p, `emission probabilities of state ${s}`, s * numSymbols, numSymbols);
  return { kind: 'categorical', numStates, numSymbols, probs: p };
}

export interface GaussianEmissionInit {
  /** S rows of D means. */
  readonly means: readonly (readonly number[])[];
  /** Diagonal: S rows of D variances. Full: S matrices D x D. */
  readonly covariances: readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];
  readonly covarianceType: CovarianceType;
}

export function gaussianEmission(init: GaussianEmissionInit): GaussianEmission {
  const numStates = init.means.length;
  const dim = init.means[0]?.length ?? 0;
  positiveInteger(numStates, 'number of states');
  positiveInteger(dim, 'observation dimension');
  const means = toMatrix(init.means, numStates, dim, 'means');
  const covariances = flattenCovariances(
    init.covariances,
    numStates,
    dim,
    init.covarianceType,
    (s) => `state ${s}`,
  );
  return { kind: 'gaussian', numStates, dim, covarianceType: init.covarianceType, means, covariances };
}

export interface GmmEmissionInit {
  /** S rows of M weights. */
  readonly weights: readonly (readonly number[])[];
  /** S x M x D. */
  readonly means: readonly (readonly (readonly number[])[])[];
  /** Diagonal: S x M x D variances. Full: S x M x D x D. */
  readonly covariances:
    | readonly (readonly (readonly number[])[])[]
    | readonly (readonly (readonly (readonly number[])[])[])[];
  readonly covarianceType: CovarianceType;
}

export function gmmEmission(init: GmmEmissionInit): GmmEmission {
  const numStates = init.weights.length;
  const numComponents = init.weights[0]?.length ?? 0;
  const dim = init.means[0]?.[0]?.length ?? 0;
  positiveInteger(numStates, 'number of states');
  positiveInteger(numComponents, 'number of mixture components');
  positiveInteger(dim, 'observation dimension');
  const weights = toMatrix(init.weights, numStates, numComponents, 'mixture weights');
  for (let s = 0; s < numStates; s++)
    checkDistribution(weights, `mixture weights of state ${s}`, s * numComponents, numComponents);
  if (init.means.length !== numStates || init.covariances.length !== numStates) {
    throw new InputError({
      what: 'GMM means and covariances',
      expected: `${numStates} states (as many as weight rows)`,
      received: `${init.means.length} and ${init.covariances.length}`,
    });
  }
  const means = toMatrix(init.means.flat(), numStates * numComponents, dim, 'GMM means');
  const covariances = flattenCovariances(
    init.covariances.flat() as readonly (readonly number[])[],
    numStates * numComponents,
    dim,
    init.covarianceType,
    (c) => `state ${Math.floor(c / numComponents)}, component ${c % numComponents}`,
  );
  return {
    kind: 'gmm',
    numStates,
    numComponents,
    dim,
    covarianceType: init.covarianceType,
    weights,
    means,
    covariances,
  };
}

function flattenCovariances(
  x: readonly unknown[],
  count: number,
  dim: number,
  type: CovarianceType,
  owner: (c: number) => string,
): Float64Array {
  if (type !== 'diagonal' && type !== 'full') {
    throw new InputError({
      what: 'covarianceType',
      expected: '"diagonal" or "full"',
      received: JSON.stringify(type),
    });
  }
  if (x.length !== count) {
    throw new InputError({
      what: 'covariances',
      expected: `${count} entries`,
      received: `${x.length}`,
    });
  }
  const cs = covarianceSize(dim, type);
  const out = new Float64Array(count * cs);
  for (let c = 0; c < count; c++) {
    const m = x[c] as readonly (readonly number[])[] | readonly number[];
    out.set(
      type === 'full'
        ? toMatrix(m as readonly (readonly number[])[], dim, dim, `covariance of ${owner(c)}`)
        : toMatrix(m as readonly number[], 1, dim, `variances of ${owner(c)}`),
      c * cs,
    );
  }
  return out;
}

/** Checks observations against the emission and flattens them. */
export function toFrames(e: Emission, obs: Observations, label = 'observations'): Frames {
  if (e.kind === 'categorical') {
    const symbols = toSymbols(obs as Sequence, e.numSymbols, label);
    return { length: symbols.length, symbols, values: null };
  }
  const d = e.dim;
  let values: Float64Array;
  if (obs instanceof Float64Array) {
    if (obs.length % d !== 0) {
      throw new InputError({
        what: label,
        expected: `a multiple of D = ${d} values`,
        received: `${obs.length}`,
      });
    }
    values = obs;
  } else if (Array.isArray(obs) && (obs.length === 0 || Array.isArray(obs[0]))) {
    values = toMatrix(obs as readonly (readonly number[])[], obs.length, d, label);
  } else if (Array.isArray(obs) && d === 1) {
    values = Float64Array.from(obs as readonly number[]);
  } else {
    throw new InputError({
      what: label,
      expected: `a Float64Array of T * ${d} values or T rows of ${d} numbers`,
      received: describeValue(obs),
    });
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new InputError({
        what: `value ${i} of ${label}`,
        expected: 'a finite number',
        received: String(values[i]),
      });
    }
  }
  return { length: values.length / d, symbols: null, values };
}

/** Free parameters of the emission distributions. */
export function emissionParameterCount(e: Emission): number {
  switch (e.kind) {
    case 'categorical':
      return e.numStates * (e.numSymbols - 1);
    case 'gaussian':
      return e.numStates * (e.dim + (e.covarianceType === 'full' ? (e.dim * (e.dim + 1)) / 2 : e.dim));
    case 'gmm': {
      const cov = e.covarianceType === 'full' ? (e.dim * (e.dim + 1)) / 2 : e.dim;
      return e.numStates * (e.numComponents - 1 + e.numComponents * (e.dim + cov));
    }
  }
}
