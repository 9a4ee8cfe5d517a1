/**
 * Supervised HMM training from labelled sequences: counts of starts, transitions, stops and
 * emissions, with add-k smoothing (categorical) or per-state maximum-likelihood Gaussians.
 */
import { InputError, positiveInteger, type Sequence } from '@strand/base';
import { checkSequences, toSymbols } from './checks.js';
import type { Emission, Observations } from './emission.js';
import { toFrames } from './emission.js';
import { accumulateComponent, createComponentStats, updateComponents } from './gaussian-components.js';
import type { Hmm } from './hmm.js';
import type { EmissionSpec } from './hmm-init.js';

export interface SupervisedOptions {
  readonly numStates: number;
  /** Categorical or Gaussian (mixtures need EM: use fitHmm with `initial`). */
  readonly emission: Extract<EmissionSpec, { kind: 'categorical' | 'gaussian' }>;
  /** Added to every start, transition, stop and categorical emission count. Default 0 (maximum likelihood). */
  readonly pseudocount?: number;
  /** Estimate stop probabilities too. Default false. */
  readonly withEnd?: boolean;
  /** Added to Gaussian variances. Default 1e-6. */
  readonly minCovariance?: number;
}

export function fitHmmSupervised(
  sequences: readonly Observations[],
  labels: readonly Sequence[],
  options: SupervisedOptions,
): Hmm {
  const S = options.numStates;
  positiveInteger(S, 'numStates');
  const k = options.pseudocount ?? 0;
  if (!(k >= 0))
    throw new InputError({ what: 'pseudocount', expected: 'a number >= 0', received: String(k) });
  checkSequences(sequences, 'sequences');
  if (labels.length !== sequences.length) {
    throw new InputError({
      what: 'labels',
      expected: `${sequences.length} label sequences (one per sequence)`,
      received: `${labels.length}`,
    });
  }
  const spec = options.emission;
  const probe: Emission =
    spec.kind === 'categorical'
      ? { kind: 'categorical', numStates: S, numSymbols: spec.numSymbols, probs: new Float64Array(0) }
      : {
          kind: 'gaussian',
          numStates: S,
          dim: spec.dim,
          covarianceType: spec.covarianceType,
          means: new Float64Array(0),
          covariances: new Float64Array(0),
        };
  const start = new Float64Array(S).fill(k);
  const trans = new Float64Array(S * S).fill(k);
  const end = new Float64Array(S).fill(k);
  const K = spec.kind === 'categorical' ? spec.numSymbols : 0;
  const emit = new Float64Array(S * K).fill(k);
  const d = spec.kind === 'gaussian' ? spec.dim : 0;
  const comps = {
    count: S,
    dim: d,
    covarianceType: spec.kind === 'gaussian' ? spec.covarianceType : 'diagonal',
    means: new Float64Array(S * d),
    covariances: new Float64Array(
      S * (spec.kind === 'gaussian' && spec.covarianceType === 'full' ? d * d : d),
    ),
  } as const;
  const stats = createComponentStats(comps, new Float64Array(d));
  sequences.forEach((seq, n) => {
    const f = toFrames(probe, seq, `sequence ${n}`);
    const y = toSymbols(labels[n]!, S, `labels of sequence ${n}`);
    if (y.length !== f.length) {
      throw new InputError({
        what: `labels of sequence ${n}`,
        expected: `${f.length} labels (one per step)`,
        received: `${y.length}`,
      });
    }
    start[y[0]!]!++;
    end[y[y.length - 1]!]!++;
    for (let t = 0; t < y.length; t++) {
      if (t > 0) trans[y[t - 1]! * S + y[t]!]!++;
      if (K > 0) emit[y[t]! * K + f.symbols![t]!]!++;
      else accumulateComponent(stats, comps, y[t]!, 1, f.values!, t * d);
    }
  });
  const norm = (a: Float64Array, offset: number, n: number, extra = 0): void => {
    let total = extra;
    for (let i = 0; i < n; i++) total += a[offset + i]!;
    for (let i = 0; i < n; i++) a[offset + i] = total > 0 ? a[offset + i]! / total : 1 / n;
  };
  norm(start, 0, S);
  for (let i = 0; i < S; i++) {
    if (options.withEnd) {
      let moves = 0;
      for (let j = 0; j < S; j++) moves += trans[i * S + j]!;
      const total = moves + end[i]!;
      end[i] = total > 0 ? end[i]! / total : 0;
      for (let j = 0; j < S; j++)
        trans[i * S + j] = total > 0 ? trans[i * S + j]! / total : (1 - end[i]!) / S;
    } else {
      norm(trans, i * S, S);
    }
  }
  let emission: Emission;
  if (spec.kind === 'categorical') {
    for (let s = 0; s < S; s++) norm(emit, s * K, K);
    emission = { kind: 'categorical', numStates: S, numSymbols: K, probs: emit };
  } else {
    for (let s = 0; s < S; s++) {
      if (!(stats.weight[s]! > 0)) {
        throw new InputError({
          what: `state ${s}`,
          expected: 'at least one labelled frame',
          received: 'none',
        });
      }
    }
    const fitted = updateComponents(comps, stats, {
      means: true,
      covariances: true,
      minCovariance: options.minCovariance ?? 1e-6,
    });
    emission = {
      kind: 'gaussian',
      numStates: S,
      dim: d,
      covarianceType: spec.covarianceType,
      means: fitted.means,
      covariances: fitted.covariances,
    };
  }
  return { numStates: S, start, transitions: trans, end: options.withEnd ? end : null, emission };
}
