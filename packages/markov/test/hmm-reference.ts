// Brute force over every state path: exact likelihoods, posteriors and the best path of short
// sequences, independent of the forward-backward and Viterbi recursions. For tests only.

export interface BruteForce {
  logLikelihood: number;
  /** [T][S] */
  posteriors: number[][];
  bestPath: number[];
  bestLogProb: number;
}

/**
 * @param logEmission (t, s) -> log p(o_t | s)
 */
export function bruteForce(
  start: ArrayLike<number>,
  transitions: ArrayLike<number>,
  end: ArrayLike<number> | null,
  S: number,
  T: number,
  logEmission: (t: number, s: number) => number,
): BruteForce {
  const paths = S ** T;
  let total = 0;
  const post = Array.from({ length: T }, () => new Array<number>(S).fill(0));
  let best = -1;
  let bestPath: number[] = [];
  // Work in linear space relative to a common shift so long-ish sequences do not underflow.
  let shift = 0;
  for (let t = 0; t < T; t++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < S; s++) m = Math.max(m, logEmission(t, s));
    shift += m;
  }
  const path = new Array<number>(T).fill(0);
  for (let p = 0; p < paths; p++) {
    let x = p;
    for (let t = T - 1; t >= 0; t--) {
      path[t] = x % S;
      x = Math.floor(x / S);
    }
    let logp = Math.log(start[path[0]!]!) + logEmission(0, path[0]!);
    for (let t = 1; t < T; t++)
      logp += Math.log(transitions[path[t - 1]! * S + path[t]!]!) + logEmission(t, path[t]!);
    if (end) logp += Math.log(end[path[T - 1]!]!);
    const w = Math.exp(logp - shift);
    total += w;
    for (let t = 0; t < T; t++) post[t]![path[t]!]! += w;
    if (w > best) {
      best = w;
      bestPath = [...path];
    }
  }
  return {
    logLikelihood: Math.log(total) + shift,
    posteriors: post.map((row) => row.map((v) => v / total)),
    bestPath,
    bestLogProb: Math.log(best) + shift,
  };
}
