// The exact posterior of all states of a linear dynamical system given the observed entries,
// by building the joint Gaussian of (x_0..x_{T-1}, y_0..y_{T-1}) and conditioning on the observed
// entries. Independent of the Kalman recursions (and of the package's linear algebra). Tests only.

type M = number[][];

const zeros = (r: number, c: number): M => Array.from({ length: r }, () => new Array<number>(c).fill(0));
const mul = (a: M, b: M): M =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const tr = (a: M): M => a[0]!.map((_, j) => a.map((row) => row[j]!));
const add = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v + b[i]![j]!));

/** Gauss-Jordan inverse with partial pivoting. */
export function inverse(a: M): M {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    const d = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row) => row.slice(n));
}

function logDet(a: M): number {
  const n = a.length;
  const m = a.map((r) => [...r]);
  let ld = 0;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    ld += Math.log(Math.abs(m[c]![c]!));
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let j = c; j < n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return ld;
}

export interface LdsSpec {
  A: M;
  Q: M;
  C: M;
  R: M;
  mu0: number[];
  V0: M;
}

/** Posterior means [T][n], covariances [T][n][n] of each x_t given the observed entries among y[0..upTo]. */
export function exactPosterior(
  s: LdsSpec,
  y: number[][],
  upTo = y.length - 1,
): { means: number[][]; covs: M[]; logLikelihood: number } {
  const n = s.mu0.length;
  const p = s.C.length;
  const T = y.length;
  // marginal means and covariances of the states
  const mean: number[][] = [];
  const cov: M[] = []; // Var(x_t)
  for (let t = 0; t < T; t++) {
    if (t === 0) {
      mean.push([...s.mu0]);
      cov.push(s.V0.map((r) => [...r]));
    } else {
      mean.push(
        mul(
          s.A,
          mean[t - 1]!.map((v) => [v]),
        ).map((r) => r[0]!),
      );
      cov.push(add(mul(mul(s.A, cov[t - 1]!), tr(s.A)), s.Q));
    }
  }
  // Cov(x_t, x_u) for t <= u = Var(x_t) (A^{u-t})ᵀ
  const cxx = (t: number, u: number): M => {
    if (t > u) return tr(cxx(u, t));
    let m = cov[t]!;
    for (let k = t; k < u; k++) m = mul(m, tr(s.A));
    return m;
  };
  const obs: [number, number][] = [];
  for (let t = 0; t <= upTo; t++) for (let i = 0; i < p; i++) if (!Number.isNaN(y[t]![i]!)) obs.push([t, i]);
  const q = obs.length;
  const syy = zeros(q, q);
  const my = obs.map(([t, i]) => s.C[i]!.reduce((acc, c, k) => acc + c * mean[t]![k]!, 0));
  obs.forEach(([t, i], a) => {
    obs.forEach(([u, j], b) => {
      const c = mul(mul(s.C, cxx(t, u)), tr(s.C));
      syy[a]![b] = c[i]![j]! + (t === u ? s.R[i]![j]! : 0);
    });
  });
  const inv = inverse(syy);
  const resid = obs.map(([t, i], a) => y[t]![i]! - my[a]!);
  const w = inv.map((row) => row.reduce((acc, v, b) => acc + v * resid[b]!, 0));
  const quad = resid.reduce((acc, r, a) => acc + r * w[a]!, 0);
  const logLikelihood = -0.5 * (q * Math.log(2 * Math.PI) + logDet(syy) + quad);
  const means: number[][] = [];
  const covs: M[] = [];
  for (let t = 0; t < T; t++) {
    // Σ_{x_t, y_obs}: [n, q]
    const sxy = zeros(n, q);
    obs.forEach(([u, j], b) => {
      const c = mul(cxx(t, u), tr(s.C));
      for (let k = 0; k < n; k++) sxy[k]![b] = c[k]![j]!;
    });
    means.push(mean[t]!.map((m, k) => m + sxy[k]!.reduce((acc, v, b) => acc + v * w[b]!, 0)));
    const corr = mul(mul(sxy, inv), tr(sxy));
    covs.push(cov[t]!.map((row, i) => row.map((v, j) => v - corr[i]![j]!)));
  }
  return { means, covs, logLikelihood };
}
