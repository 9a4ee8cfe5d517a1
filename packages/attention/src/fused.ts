/**
 * Fast paths for the transformer's non-matmul work on the backends whose memory a JS loop can reach
 * (cpu and wasm, through @strand/backend's `registerArrayKernel`). Profiled on wasm, the decoder-only LM's
 * step spent over a third of its time outside the matmuls; the largest avoidable parts were:
 * - the bias gradient of every linear layer, and layer norm's gamma/beta gradients: tfjs sums over rows
 *   by transposing first (`columnSum`: one pass over the rows instead);
 * - the bias add as its own launch (`linearFused`: tfjs' _FusedMatMul adds it inside the product);
 * - the embedding lookup: tfjs-backend-wasm gathers element by element (`gatherRows`: a copy per row).
 * Elementwise work stays in tfjs' wasm kernels (SIMD): measured, a JS loop over [B, T, 4C] was slower
 * than the several wasm launches it would replace (exact GELU: 4x slower in JS, whose Math.exp is not
 * vectorised), so GELU and the softmax keep their tfjs ops.
 * Every other backend (WebGPU) runs the tfjs compositions, which compute the same numbers; the tests run
 * both (`setFusedMode`).
 */
import { ARRAY_KERNEL_BACKENDS, type ArrayKernelSpec, registerArrayKernel } from '@strand/backend';
import { IdOutOfRangeError } from '@strand/base';
import { type LayerNormParams, type LinearParams, layerNorm, linear } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';

type Mode = 'auto' | 'ops';
let mode: Mode = 'auto';

/** Test hook: 'ops' forces the tfjs compositions on cpu and wasm too. @internal */
export function setFusedMode(next: Mode): void {
  mode = next;
}

function usesArrayKernels(): boolean {
  return mode === 'auto' && ARRAY_KERNEL_BACKENDS.includes(tf.getBackend());
}

type Compute = ArrayKernelSpec['compute'];
type OutputShapes = ArrayKernelSpec['outputShapes'];
const specs = new Map<string, ArrayKernelSpec>();

/** Registers (once per backend) and runs a JS kernel; returns its outputs. */
function run(
  kernelName: string,
  outputShapes: OutputShapes,
  compute: Compute,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, number> = {},
): tf.Tensor[] {
  const backendName = tf.getBackend();
  const key = `${backendName}/${kernelName}`;
  let spec = specs.get(key);
  if (spec === undefined) {
    spec = { kernelName, backendName, outputShapes, compute };
    specs.set(key, spec);
  }
  registerArrayKernel(spec);
  const out = tf.engine().runKernel(kernelName, inputs, attrs as unknown as tf.NamedAttrMap);
  return Array.isArray(out) ? out : [out as tf.Tensor];
}

// ---- column sums (the bias gradient) ----

const columnSumShapes: OutputShapes = (s) => [[s['x']![s['x']!.length - 1]!]];
const columnSumCompute: Compute = ({ x }, [out], s) => {
  const shape = s['x']!;
  const C = shape[shape.length - 1]!;
  const N = x!.length / C;
  // Row by row (contiguous reads), accumulating in float64 like a pairwise sum would in accuracy.
  const acc = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    const r = n * C;
    for (let c = 0; c < C; c++) acc[c]! += x![r + c]!;
  }
  out!.set(acc);
};

/** x [..., C] summed over every axis but the last -> [C]. */
export function columnSum(x: tf.Tensor): tf.Tensor1D {
  if (!usesArrayKernels()) return tf.sum(tf.reshape(x, [-1, x.shape[x.rank - 1]!]), 0) as tf.Tensor1D;
  return run('StrandColumnSum', columnSumShapes, columnSumCompute, { x })[0] as tf.Tensor1D;
}

/**
 * `linear` from @strand/core (x · W + b over the last axis) with a gradient whose bias part is one
 * `columnSum`: the same numbers, without tfjs' transposing reduction. x [..., in] -> [..., out].
 */
export function linearFused(p: LinearParams, x: tf.Tensor): tf.Tensor {
  if (!usesArrayKernels() || p.bias === null) return linear(p, x);
  const [inputSize, outputSize] = p.kernel.shape as [number, number];
  if (x.rank < 2 || x.shape[x.rank - 1] !== inputSize) return linear(p, x); // its ShapeError
  const lead = x.shape.slice(0, -1);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xIn, w, b] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const value = tf.tidy(() => {
      const x2 = tf.reshape(xIn, [-1, inputSize]); // [N, in]
      save([x2, w]);
      // One launch: tfjs-backend-wasm's _FusedMatMul adds the bias inside XNNPACK's product.
      return tf.reshape(tf.fused.matMul({ a: x2, b: w, bias: b }), [...lead, outputSize]); // [..., out]
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => {
        const dy2 = tf.reshape(dy, [-1, outputSize]);
        return [
          tf.reshape(tf.matMul(dy2, ws!, false, true), xIn.shape), // [..., in]
          tf.matMul(xs!, dy2, true, false), // [in, out]
          columnSum(dy2), // [out]
        ];
      },
    };
  });
  return op(x, p.kernel, p.bias);
}

// ---- embedding rows ----

const gatherShapes: OutputShapes = (s) => [[...s['ids']!, s['table']![1]!]];
const gatherCompute: Compute = ({ table, ids }, [out], s) => {
  const [V, C] = s['table'] as [number, number];
  for (let n = 0; n < ids!.length; n++) {
    const id = ids![n]!;
    if (!(id >= 0 && id < V)) throw new IdOutOfRangeError(id, n, V, 'token id');
    out!.set(table!.subarray(id * C, id * C + C), n * C);
  }
};

/**
 * table [V, C] rows at ids (int32, any shape; an id outside [0, V) is an IdOutOfRangeError) -> [...ids, C]; the
 * gradient scatters back with tfjs' unsortedSegmentSum, as tf.gather's. One copy per row instead of
 * tfjs-backend-wasm's element-wise gather.
 */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  if (!usesArrayKernels() || table.dtype !== 'float32' || ids.dtype !== 'int32') return tf.gather(table, ids);
  const [V, C] = table.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const t = args[0] as tf.Tensor;
    save([ids]); // the caller's ids may be gone (tidied) by the time the gradient runs
    // The ids travel as float32 values (exact below 2^24) because array kernels read float32 arrays.
    const value = tf.tidy(
      () =>
        run('StrandGatherRows', gatherShapes, gatherCompute, { table: t, ids: tf.cast(ids, 'float32') })[0]!,
    );
    return {
      value,
      gradFunc: (dy: tf.Tensor, [kept]: tf.Tensor[]) =>
        tf.unsortedSegmentSum(tf.reshape(dy, [-1, C]), tf.reshape(kept!, [-1]) as tf.Tensor1D, V),
    };
  });
  return op(table);
}

// ---- layer norm ----

/**
 * @strand/core's `layerNorm` (PyTorch's LayerNorm: biased variance, eps inside the root) with an explicit
 * gradient: with x̂ = (x - mean) · rstd and g = dy · gamma,
 *   dx = rstd · (g - mean(g) - x̂ · mean(g · x̂)),  dgamma = Σ_rows dy · x̂,  dbeta = Σ_rows dy,
 * the two row sums being `columnSum`s (autodiff sums them with tfjs' transposing reduction). x [..., C].
 */
export function layerNormFused(p: LayerNormParams, x: tf.Tensor, epsilon: number): tf.Tensor {
  const C = p.gamma.shape[0]!;
  if (!usesArrayKernels() || x.dtype !== 'float32' || x.rank < 2 || x.shape[x.rank - 1] !== C)
    return layerNorm(p, x, { epsilon });
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) return layerNorm(p, x, { epsilon }); // its ConfigError
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xIn, gamma, beta] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const value = tf.tidy(() => {
      const mean = tf.mean(xIn, -1, true); // [..., 1]
      const centered = tf.sub(xIn, mean);
      const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), epsilon)); // [..., 1]
      const normed = tf.mul(centered, rstd); // x̂
      save([normed, rstd, gamma]);
      return tf.add(tf.mul(normed, gamma), beta);
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, [normed, rstd, g]: tf.Tensor[]) => {
        const gx = tf.mul(dy, g!); // [..., C]
        const dx = tf.mul(
          tf.sub(tf.sub(gx, tf.mean(gx, -1, true)), tf.mul(normed!, tf.mean(tf.mul(gx, normed!), -1, true))),
          rstd!,
        );
        return [dx, columnSum(tf.mul(dy, normed!)), columnSum(dy)];
      },
    };
  });
  return op(x, p.gamma, p.beta);
}
