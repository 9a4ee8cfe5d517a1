// Per-kernel wall time of top-level tfjs launches, shared by the profiling benches (cells' profile.mjs,
// attention's ratio.mjs, trainer's step-share.mjs; imported by relative path as tooling/bench-speed does).
import * as tf from '@tensorflow/tfjs-core';

/**
 * Wraps the engine's runKernel so each top-level launch adds its wall time to `acc`, keyed by
 * `keyOf(name, inputs, attrs)`: acc maps key -> { n, ms, matmul } (matmul: BatchMatMul or _FusedMatMul).
 * Kernels launched inside another kernel count toward the outer one. Returns a function that unwraps.
 */
export function timeKernels(acc, keyOf = (name) => name) {
  const eng = tf.engine();
  const orig = eng.runKernel.bind(eng);
  let depth = 0;
  eng.runKernel = (name, ins, attrs) => {
    if (depth > 0) return orig(name, ins, attrs);
    depth++;
    const t0 = performance.now();
    try {
      return orig(name, ins, attrs);
    } finally {
      depth--;
      const key = keyOf(name, ins, attrs);
      const a = acc.get(key) ?? { n: 0, ms: 0, matmul: MATMULS.has(name) };
      a.n++;
      a.ms += performance.now() - t0;
      acc.set(key, a);
    }
  };
  return () => {
    eng.runKernel = orig;
  };
}

export const MATMULS = new Set(['BatchMatMul', '_FusedMatMul']);

/** "tA"/"tB" flags of a matmul launch. */
export function transposeFlags(attrs) {
  return `${attrs?.transposeA ? ' tA' : ''}${attrs?.transposeB ? ' tB' : ''}`;
}
