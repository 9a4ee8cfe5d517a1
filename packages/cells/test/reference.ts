// Plain-JavaScript float64 reference implementations of the cells, written from the equations in the
// papers and the PyTorch docs, independent of tfjs. Matrices are row-major number[][] in the [in, out] layout.

export type Mat = number[][];
export type Vec = number[];

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** x · W for a row vector x and W [in, out]. */
function vm(x: Vec, w: Mat): Vec {
  const out = new Array<number>(w[0]!.length).fill(0);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < out.length; j++) out[j]! += x[i]! * w[i]![j]!;
  return out;
}
const add = (...vs: Vec[]) => vs[0]!.map((_, j) => vs.reduce((s, v) => s + v[j]!, 0));
const block = (v: Vec, k: number, n: number) => v.slice(k * n, (k + 1) * n);

export interface RefWeights {
  wx: Mat;
  wh: Mat;
  b: Vec;
  bh?: Vec;
  proj?: Mat;
}

export type RefStep = (x: Vec, state: { h: Vec; c?: Vec }) => { h: Vec; c?: Vec };

/** Layer normalisation with unit gain and zero shift (biased variance, PyTorch's rule). */
function ln(v: Vec, eps = 1e-5): Vec {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const var_ = v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
  return v.map((x) => (x - m) / Math.sqrt(var_ + eps));
}

export function lstmRef(
  w: RefWeights,
  units: number,
  { peephole, layerNorm = false }: { peephole?: { i: Vec; f: Vec; o: Vec }; layerNorm?: boolean } = {},
): RefStep {
  return (x, { h, c }) => {
    const z = layerNorm ? add(ln(vm(x, w.wx)), ln(vm(h, w.wh)), w.b) : add(vm(x, w.wx), vm(h, w.wh), w.b);
    const [i, f, g, o] = [0, 1, 2, 3].map((k) => block(z, k, units));
    const p = peephole ?? { i: c!.map(() => 0), f: c!.map(() => 0), o: c!.map(() => 0) };
    const cn = c!.map(
      (cv, j) => sigmoid(f![j]! + p.f[j]! * cv) * cv + sigmoid(i![j]! + p.i[j]! * cv) * Math.tanh(g![j]!),
    );
    const cOut = layerNorm ? ln(cn) : cn;
    let hn = cn.map((cv, j) => sigmoid(o![j]! + p.o[j]! * cv) * Math.tanh(cOut[j]!));
    if (w.proj) hn = vm(hn, w.proj);
    return { h: hn, c: cn };
  };
}

/** variant: 'after' (PyTorch), 'before' (Cho et al. / tfjs-layers), 'minimal' (update gate only). */
export function gruRef(w: RefWeights, units: number, variant: 'after' | 'before' | 'minimal'): RefStep {
  return (x, { h }) => {
    const xw = add(vm(x, w.wx), w.b);
    if (variant === 'minimal') {
      const hw = vm(h, w.wh);
      const z = add(block(xw, 0, units), block(hw, 0, units)).map(sigmoid);
      const n = add(block(xw, 1, units), block(hw, 1, units)).map(Math.tanh);
      return { h: n.map((nv, j) => (1 - z[j]!) * nv + z[j]! * h[j]!) };
    }
    const cols = (m: Mat, k: number) => m.map((row) => row.slice(k * units, (k + 1) * units));
    const hw = add(vm(h, w.wh), w.bh ?? new Array<number>(3 * units).fill(0));
    const r = add(block(xw, 0, units), block(hw, 0, units)).map(sigmoid);
    const z = add(block(xw, 1, units), block(hw, 1, units)).map(sigmoid);
    const inner =
      variant === 'after'
        ? block(hw, 2, units).map((v, j) => r[j]! * v)
        : vm(
            h.map((v, j) => r[j]! * v),
            cols(w.wh, 2),
          );
    const n = add(block(xw, 2, units), inner).map(Math.tanh);
    return { h: n.map((nv, j) => (1 - z[j]!) * nv + z[j]! * h[j]!) };
  };
}

export function simpleRnnRef(w: RefWeights, activation: 'tanh' | 'relu', leak: number): RefStep {
  return (x, { h }) => {
    const a = add(vm(x, w.wx), vm(h, w.wh), w.b);
    const f = a.map((v) => (activation === 'relu' ? Math.max(0, v) : Math.tanh(v)));
    return { h: f.map((v, j) => (1 - leak) * h[j]! + leak * v) };
  };
}

/**
 * Runs a reference step over one sequence with the runner's masking rule: a padded step keeps the state
 * and outputs zeros. Returns outputs [time][size] and the final state.
 */
export function refRun(
  step: RefStep,
  xs: Mat,
  init: { h: Vec; c?: Vec },
  { mask, reverse = false }: { mask?: Vec; reverse?: boolean } = {},
): { outputs: Mat; final: { h: Vec; c?: Vec } } {
  const T = xs.length;
  const outputs: Mat = new Array(T);
  let s = init;
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    if (mask && mask[t] === 0) {
      outputs[t] = s.h.map(() => 0);
      continue;
    }
    s = step(xs[t]!, s);
    outputs[t] = s.h;
  }
  return { outputs, final: s };
}
