/**
 * The averaged-embedding model the seeds show failing: a sentence is the mean of its learned word
 * vectors, then logistic regression on that mean. Word order is gone, and one dimension-sharing
 * table has to carry every word's polarity. Tensor-free (a dot product per sentence), trained with
 * Adam on the log loss, seeded.
 */
import { Rng } from '@strand/base';
import { words } from './data.js';

export interface AverageModel {
  readonly vocabulary: readonly string[];
  readonly dim: number;
  /** [vocabulary.length * dim]. */
  readonly table: Float64Array;
  readonly w: Float64Array;
  readonly b: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function encode(text: string, lookup: ReadonlyMap<string, number>): number[] {
  return words(text)
    .map((t) => lookup.get(t))
    .filter((i): i is number => i !== undefined);
}

export function fitAverage(
  examples: readonly { text: string; label: 0 | 1 }[],
  { dim = 16, epochs = 20, lr = 0.01, seed = 0 } = {},
): AverageModel {
  const vocabulary = [...new Set(examples.flatMap((e) => words(e.text)))].sort();
  const lookup = new Map(vocabulary.map((w, i) => [w, i]));
  const rng = new Rng(seed);
  const V = vocabulary.length;
  // params = [table (V*dim), w (dim), b]
  const P = V * dim + dim + 1;
  const p = new Float64Array(P);
  for (let i = 0; i < V * dim + dim; i++) p[i] = (rng.float() - 0.5) * 0.2;
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const g = new Float64Array(P);
  const rows = examples.map((e) => ({ ids: encode(e.text, lookup), y: e.label }));
  const wOff = V * dim;
  const mean = new Float64Array(dim);
  let t = 0;
  const batch = 32;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.shuffle(rows.map((_, i) => i));
    for (let start = 0; start < order.length; start += batch) {
      g.fill(0);
      const idx = order.slice(start, start + batch);
      for (const r of idx) {
        const { ids, y } = rows[r]!;
        mean.fill(0);
        for (const id of ids) for (let d = 0; d < dim; d++) mean[d]! += p[id * dim + d]! / ids.length;
        let z = p[P - 1]!;
        for (let d = 0; d < dim; d++) z += p[wOff + d]! * mean[d]!;
        const err = (sigmoid(z) - y) / idx.length;
        for (let d = 0; d < dim; d++) g[wOff + d]! += err * mean[d]!;
        g[P - 1]! += err;
        for (const id of ids)
          for (let d = 0; d < dim; d++) g[id * dim + d]! += (err * p[wOff + d]!) / ids.length;
      }
      t++;
      const b1 = 0.9;
      const b2 = 0.999;
      for (let i = 0; i < P; i++) {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
        const mh = m[i]! / (1 - b1 ** t);
        const vh = v[i]! / (1 - b2 ** t);
        p[i]! -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
    }
  }
  return { vocabulary, dim, table: p.slice(0, V * dim), w: p.slice(wOff, wOff + dim), b: p[P - 1]! };
}

export function averageProbability(model: AverageModel, text: string, lookup?: Map<string, number>): number {
  const map = lookup ?? new Map(model.vocabulary.map((w, i) => [w, i]));
  const ids = encode(text, map);
  let z = model.b;
  if (ids.length > 0)
    for (let d = 0; d < model.dim; d++) {
      let s = 0;
      for (const id of ids) s += model.table[id * model.dim + d]!;
      z += model.w[d]! * (s / ids.length);
    }
  return sigmoid(z);
}

export function averageAccuracy(
  model: AverageModel,
  examples: readonly { text: string; label: 0 | 1 }[],
): number {
  const lookup = new Map(model.vocabulary.map((w, i) => [w, i]));
  let right = 0;
  for (const e of examples)
    if ((averageProbability(model, e.text, lookup) >= 0.5 ? 1 : 0) === e.label) right++;
  return right / Math.max(1, examples.length);
}
