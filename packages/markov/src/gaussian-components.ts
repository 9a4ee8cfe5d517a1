/**
 * C Gaussian components in D dimensions with diagonal or full covariances, the building block of
 * Gaussian and Gaussian-mixture emissions: log densities, weighted sufficient statistics, the
 * maximum-likelihood update, and sampling. means: [C, D]; covariances: [C, D] (diagonal) or
 * [C, D, D] (full).
 */
import { InputError, type Rng } from '@strand/base';
import { cholesky, LOG_2PI, logDetFromCholesky } from './linalg.js';

export type CovarianceType = 'diagonal' | 'full';

export interface Components {
  readonly count: number;
  readonly dim: number;
  readonly covarianceType: CovarianceType;
  readonly means: Float64Array;
  readonly covariances: Float64Array;
}

/** Factored covariances for fast densities: Cholesky factors (full) or 1/variance (diagonal). */
export interface PreparedComponents extends Components {
  readonly factors: Float64Array; // [C, D, D] Cholesky factors, or [C, D] inverse variances
  readonly logNorm: Float64Array; // [C]: -0.5 (D log 2π + log det Σ)
  readonly work: Float64Array;
}

export function covarianceSize(dim: number, type: CovarianceType): number {
  return type === 'full' ? dim * dim : dim;
}

/**
 * Validates and factors covariances. `owner(c)` names a component in errors ("state 2",
 * "state 1, component 0"); `stateOf(c)` is the state carried by NotPositiveDefiniteError.
 */
export function prepareComponents(
  c: Components,
  owner: (c: number) => string,
  stateOf: (c: number) => number,
): PreparedComponents {
  const { count, dim } = c;
  const cs = covarianceSize(dim, c.covarianceType);
  const factors = new Float64Array(count * cs);
  const logNorm = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    if (c.covarianceType === 'full') {
      const sigma = c.covariances.subarray(k * cs, (k + 1) * cs);
      for (let i = 0; i < dim; i++) {
        for (let j = 0; j < i; j++) {
          const a = sigma[i * dim + j]!;
          const b = sigma[j * dim + i]!;
          if (Math.abs(a - b) > 1e-9 * (Math.abs(a) + Math.abs(b) + 1e-300)) {
            throw new InputError({
              what: `covariance of ${owner(k)}`,
              expected: 'a symmetric matrix',
              received: `entries (${i}, ${j}) = ${a} and (${j}, ${i}) = ${b}`,
            });
          }
        }
      }
      const l = cholesky(sigma, dim, `covariance of ${owner(k)}`, stateOf(k));
      factors.set(l, k * cs);
      logNorm[k] = -0.5 * (dim * LOG_2PI + logDetFromCholesky(l, dim));
    } else {
      let logDet = 0;
      for (let i = 0; i < dim; i++) {
        const v = c.covariances[k * dim + i]!;
        if (!(v > 0) || !Number.isFinite(v)) {
          throw new InputError({
            what: `variance ${i} of ${owner(k)}`,
            expected: 'a finite number > 0',
            received: String(v),
          });
        }
        factors[k * dim + i] = 1 / v;
        logDet += Math.log(v);
      }
      logNorm[k] = -0.5 * (dim * LOG_2PI + logDet);
    }
  }
  return { ...c, factors, logNorm, work: new Float64Array(dim) };
}

/** log N(x[offset .. offset + D) ; component k). */
export function componentLogDensity(
  p: PreparedComponents,
  k: number,
  x: Float64Array,
  offset: number,
): number {
  const d = p.dim;
  const mean = k * d;
  let quad = 0;
  if (p.covarianceType === 'diagonal') {
    for (let i = 0; i < d; i++) {
      const z = x[offset + i]! - p.means[mean + i]!;
      quad += z * z * p.factors[mean + i]!;
    }
  } else {
    const l = k * d * d;
    const w = p.work;
    for (let i = 0; i < d; i++) {
      let s = x[offset + i]! - p.means[mean + i]!;
      for (let j = 0; j < i; j++) s -= p.factors[l + i * d + j]! * w[j]!;
      s /= p.factors[l + i * d + i]!;
      w[i] = s;
      quad += s * s;
    }
  }
  return p.logNorm[k]! - 0.5 * quad;
}

/** Weighted sums per component, of data centred at `center` for accuracy. */
export interface ComponentStats {
  readonly weight: Float64Array; // [C]
  readonly sum: Float64Array; // [C, D]
  readonly sumSq: Float64Array; // [C, D, D] or [C, D]
  readonly center: Float64Array; // [D]
}

export function createComponentStats(c: Components, center: Float64Array): ComponentStats {
  return {
    weight: new Float64Array(c.count),
    sum: new Float64Array(c.count * c.dim),
    sumSq: new Float64Array(c.count * covarianceSize(c.dim, c.covarianceType)),
    center,
  };
}

export function accumulateComponent(
  s: ComponentStats,
  c: Components,
  k: number,
  weight: number,
  x: Float64Array,
  offset: number,
): void {
  const d = c.dim;
  s.weight[k]! += weight;
  if (c.covarianceType === 'diagonal') {
    for (let i = 0; i < d; i++) {
      const v = x[offset + i]! - s.center[i]!;
      s.sum[k * d + i]! += weight * v;
      s.sumSq[k * d + i]! += weight * v * v;
    }
  } else {
    const base = k * d * d;
    for (let i = 0; i < d; i++) {
      const vi = x[offset + i]! - s.center[i]!;
      s.sum[k * d + i]! += weight * vi;
      const wvi = weight * vi;
      for (let j = 0; j <= i; j++) s.sumSq[base + i * d + j]! += wvi * (x[offset + j]! - s.center[j]!);
    }
  }
}

export interface ComponentUpdate {
  readonly means: boolean;
  readonly covariances: boolean;
  /** Added to every variance (the diagonal), keeping covariances positive definite. */
  readonly minCovariance: number;
}

/**
 * Maximum-likelihood means and covariances from the statistics; components with (almost) no
 * weight keep their old parameters.
 */
export function updateComponents(c: Components, s: ComponentStats, u: ComponentUpdate): Components {
  const d = c.dim;
  const cs = covarianceSize(d, c.covarianceType);
  const means = Float64Array.from(c.means);
  const covariances = Float64Array.from(c.covariances);
  const mu = new Float64Array(d); // centred mean of the data
  for (let k = 0; k < c.count; k++) {
    const w = s.weight[k]!;
    if (!(w > 1e-10)) continue;
    for (let i = 0; i < d; i++) mu[i] = s.sum[k * d + i]! / w;
    // Covariance about the new mean, or about the kept mean when means are not learned.
    for (let i = 0; i < d; i++) {
      const m = u.means ? mu[i]! : c.means[k * d + i]! - s.center[i]!;
      if (u.means) means[k * d + i] = s.center[i]! + mu[i]!;
      mu[i] = m;
    }
    if (!u.covariances) continue;
    if (c.covarianceType === 'diagonal') {
      for (let i = 0; i < d; i++) {
        const ex = s.sum[k * d + i]! / w;
        covariances[k * d + i] =
          s.sumSq[k * d + i]! / w - 2 * mu[i]! * ex + mu[i]! * mu[i]! + u.minCovariance;
      }
    } else {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) {
          const exx = s.sumSq[k * cs + i * d + j]! / w;
          const v =
            exx - mu[i]! * (s.sum[k * d + j]! / w) - mu[j]! * (s.sum[k * d + i]! / w) + mu[i]! * mu[j]!;
          covariances[k * cs + i * d + j] = v + (i === j ? u.minCovariance : 0);
          covariances[k * cs + j * d + i] = v + (i === j ? u.minCovariance : 0);
        }
      }
    }
  }
  return { ...c, means, covariances };
}

/** Draws x ~ N(mean_k, scale * Σ_k) into out[offset .. offset + D). */
export function sampleComponent(
  p: PreparedComponents,
  k: number,
  rng: Rng,
  scale: number,
  out: Float64Array,
  offset: number,
): void {
  const d = p.dim;
  const s = Math.sqrt(scale);
  if (p.covarianceType === 'diagonal') {
    for (let i = 0; i < d; i++)
      out[offset + i] = p.means[k * d + i]! + (s * rng.normal()) / Math.sqrt(p.factors[k * d + i]!);
    return;
  }
  const z = p.work;
  for (let i = 0; i < d; i++) z[i] = rng.normal();
  const l = k * d * d;
  for (let i = 0; i < d; i++) {
    let v = 0;
    for (let j = 0; j <= i; j++) v += p.factors[l + i * d + j]! * z[j]!;
    out[offset + i] = p.means[k * d + i]! + s * v;
  }
}
