/**
 * The published baseline: bag-of-words counts (scikit-learn's CountVectorizer defaults) and L2
 * logistic regression with C = 1 (scikit-learn's LogisticRegression defaults: minimise
 * 0.5 |w|² + C Σ log(1 + exp(-y (w·x + b))), the intercept not penalised), fitted here by L-BFGS.
 * Tensor-free: a few thousand sparse features and at most a few thousand sentences.
 */
import { countVectorizerTokens } from './data.js';

export interface LogisticModel {
  readonly vocabulary: readonly string[];
  readonly weights: Float64Array;
  readonly bias: number;
}

interface Sparse {
  readonly index: Int32Array;
  readonly count: Float64Array;
}

function featurize(text: string, lookup: ReadonlyMap<string, number>): Sparse {
  const counts = new Map<number, number>();
  for (const t of countVectorizerTokens(text)) {
    const i = lookup.get(t);
    if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
  }
  return { index: Int32Array.from(counts.keys()), count: Float64Array.from(counts.values()) };
}

const softplus = (z: number) => (z > 30 ? z : z < -30 ? Math.exp(z) : Math.log1p(Math.exp(z)));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** L-BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search. */
function lbfgs(
  f: (x: Float64Array, grad: Float64Array) => number,
  x: Float64Array,
  { iterations = 500, memory = 10, tolerance = 1e-6 } = {},
): Float64Array {
  const n = x.length;
  const g = new Float64Array(n);
  let fx = f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
    return s;
  };
  for (let it = 0; it < iterations; it++) {
    if (Math.sqrt(dot(g, g)) < tolerance * Math.max(1, Math.abs(fx))) break;
    const q = Float64Array.from(g);
    const alpha: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      const a = dot(S[k]!, q) / dot(Y[k]!, S[k]!);
      alpha[k] = a;
      for (let i = 0; i < n; i++) q[i]! -= a * Y[k]![i]!;
    }
    const gamma = S.length
      ? dot(S.at(-1)!, Y.at(-1)!) / dot(Y.at(-1)!, Y.at(-1)!)
      : 1 / Math.max(1, Math.sqrt(dot(g, g)));
    for (let i = 0; i < n; i++) q[i]! *= gamma;
    for (let k = 0; k < S.length; k++) {
      const b = dot(Y[k]!, q) / dot(Y[k]!, S[k]!);
      for (let i = 0; i < n; i++) q[i]! += S[k]![i]! * (alpha[k]! - b);
    }
    // Direction d = -q.
    const slope = -dot(g, q);
    if (!(slope < 0)) break;
    let step = 1;
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! - step * q[i]!;
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(fNew < fx)) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    if (dot(s, y) > 1e-12) {
      S.push(s);
      Y.push(y);
      if (S.length > memory) {
        S.shift();
        Y.shift();
      }
    }
    const done = Math.abs(fx - fNew) < 1e-10 * Math.max(1, Math.abs(fx));
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    if (done) break;
  }
  return x;
}

/** Fits the vectorizer's vocabulary and the regression on `examples`. */
export function fitLogistic(examples: readonly { text: string; label: 0 | 1 }[], C = 1): LogisticModel {
  const vocabulary = [...new Set(examples.flatMap((e) => countVectorizerTokens(e.text)))].sort();
  const lookup = new Map(vocabulary.map((w, i) => [w, i]));
  const X = examples.map((e) => featurize(e.text, lookup));
  const y = examples.map((e) => (e.label === 1 ? 1 : -1));
  const V = vocabulary.length;
  // x = [w (V), b]
  const objective = (x: Float64Array, grad: Float64Array): number => {
    let loss = 0;
    grad.fill(0);
    for (let i = 0; i < V; i++) {
      loss += 0.5 * x[i]! * x[i]!;
      grad[i] = x[i]!;
    }
    X.forEach((row, n) => {
      let z = x[V]!;
      for (let k = 0; k < row.index.length; k++) z += x[row.index[k]!]! * row.count[k]!;
      const m = y[n]! * z;
      loss += C * softplus(-m);
      const d = -C * y[n]! * sigmoid(-m); // d loss / d z
      for (let k = 0; k < row.index.length; k++) grad[row.index[k]!]! += d * row.count[k]!;
      grad[V]! += d;
    });
    return loss;
  };
  const x = lbfgs(objective, new Float64Array(V + 1));
  return { vocabulary, weights: x.slice(0, V), bias: x[V]! };
}

/** P(positive | text). */
export function logisticProbability(
  model: LogisticModel,
  text: string,
  lookup?: Map<string, number>,
): number {
  const map = lookup ?? new Map(model.vocabulary.map((w, i) => [w, i]));
  const row = featurize(text, map);
  let z = model.bias;
  for (let k = 0; k < row.index.length; k++) z += model.weights[row.index[k]!]! * row.count[k]!;
  return sigmoid(z);
}

export function logisticAccuracy(
  model: LogisticModel,
  examples: readonly { text: string; label: 0 | 1 }[],
): number {
  const lookup = new Map(model.vocabulary.map((w, i) => [w, i]));
  let right = 0;
  for (const e of examples)
    if ((logisticProbability(model, e.text, lookup) >= 0.5 ? 1 : 0) === e.label) right++;
  return right / Math.max(1, examples.length);
}
