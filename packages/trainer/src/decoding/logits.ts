/**
 * Turning one step's logits into the next token: repetition penalty, temperature, top-k and top-p
 * (nucleus) filtering, then argmax or a seeded draw. Computed in float64 JavaScript on the host, so
 * a seed gives the same tokens on every backend.
 */
import { ConfigError, nonNegativeInteger, positiveNumber, type Rng } from '@strand/base';

export interface SamplingOptions {
  /** p^(1/T): below 1 sharpens, above 1 flattens; 0 means greedy. Default 1. */
  readonly temperature?: number;
  /** Keep only the k most likely tokens (0 or absent: all). */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (1 or absent: all). */
  readonly topP?: number;
  /**
   * CTRL's penalty (Keskar et al. 2019) on tokens already in the context: a positive logit is
   * divided by it, a negative one multiplied. 1 (default) is off.
   */
  readonly repetitionPenalty?: number;
  /** Always take the most likely token (same as temperature 0). Default false. */
  readonly greedy?: boolean;
}

export interface ResolvedSampling {
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly repetitionPenalty: number;
  readonly greedy: boolean;
}

/** Validates sampling options (ConfigError naming the field). */
export function resolveSampling(o: SamplingOptions): ResolvedSampling {
  const temperature = o.temperature ?? 1;
  if (!(Number.isFinite(temperature) && temperature >= 0))
    throw new ConfigError(`temperature must be a finite number >= 0, received ${temperature}`, 'temperature');
  const topP = o.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new ConfigError(`topP must be in (0, 1], received ${topP}`, 'topP');
  return {
    temperature,
    topK: nonNegativeInteger(o.topK ?? 0, 'topK'),
    topP,
    repetitionPenalty: positiveNumber(o.repetitionPenalty ?? 1, 'repetitionPenalty'),
    greedy: (o.greedy ?? false) || temperature === 0,
  };
}

/** Index of the largest value (the first on ties). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/**
 * The distribution the sampler draws from: logits -> penalised -> / T -> softmax -> top-k -> top-p,
 * renormalised. Filtered tokens get probability 0. Ties at the top-k boundary are all kept.
 */
export function samplingDistribution(
  logits: ArrayLike<number>,
  context: readonly number[],
  o: ResolvedSampling,
): Float64Array {
  const V = logits.length;
  const l = Float64Array.from(logits as ArrayLike<number>);
  if (o.repetitionPenalty !== 1) {
    for (const t of new Set(context)) {
      if (t >= 0 && t < V) l[t] = l[t]! > 0 ? l[t]! / o.repetitionPenalty : l[t]! * o.repetitionPenalty;
    }
  }
  const T = o.temperature === 0 ? 1 : o.temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < V; i++) {
    l[i] = l[i]! / T;
    if (l[i]! > max) max = l[i]!;
  }
  if (o.topK > 0 && o.topK < V) {
    const kth = Float64Array.from(l).sort().reverse()[o.topK - 1]!;
    for (let i = 0; i < V; i++) if (l[i]! < kth) l[i] = Number.NEGATIVE_INFINITY;
  }
  const p = new Float64Array(V);
  let sum = 0;
  for (let i = 0; i < V; i++) {
    p[i] = Math.exp(l[i]! - max);
    sum += p[i]!;
  }
  for (let i = 0; i < V; i++) p[i] = p[i]! / sum;
  if (o.topP < 1) {
    const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => p[b]! - p[a]! || a - b);
    let cum = 0;
    let keep = 0;
    while (keep < V && cum < o.topP) cum += p[order[keep++]!]!;
    for (let j = keep; j < V; j++) p[order[j]!] = 0;
    for (let i = 0; i < V; i++) p[i] = p[i]! / cum;
  }
  return p;
}

/** The next token: argmax when greedy, else a draw from `samplingDistribution`. */
export function chooseToken(
  logits: ArrayLike<number>,
  context: readonly number[],
  o: ResolvedSampling,
  rng: Rng,
): number {
  if (o.greedy) {
    if (o.repetitionPenalty === 1) return argmax(logits);
    return argmax(samplingDistribution(logits, context, { ...o, topK: 0, topP: 1 }));
  }
  return rng.categorical(samplingDistribution(logits, context, o));
}
