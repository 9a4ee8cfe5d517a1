import * as tf from '@tensorflow/tfjs-core';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type Kernel = (args: KernelArgs) => tf.TensorInfo;

/**
 * tfjs-backend-wasm 4.22's BatchMatMul runs 10-30x slower when an operand is transposed (measured:
 * [32,1024]x[320,1024]^T at 1.0 GFLOP/s against 11 for the plain product), and every backward pass
 * multiplies by transposes. This wraps the kernel: transpose the operand into a fresh buffer with the
 * wasm Transpose kernel (a cheap copy), then run the fast non-transposed product.
 */
export function registerFastTransposedMatMul(): void {
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transposeKernel = tf.getKernel(tf.Transpose, 'wasm');
  if (!original || !transposeKernel || (original.kernelFunc as { strandWrapped?: boolean }).strandWrapped)
    return;
  const matMul = original.kernelFunc as unknown as Kernel;
  const transpose = transposeKernel.kernelFunc as unknown as Kernel;
  const disposeData = (backend: unknown, t: tf.TensorInfo) =>
    (backend as { disposeData(id: tf.DataId): void }).disposeData(t.dataId);

  const wrapped: Kernel = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return matMul({ inputs, backend, attrs });
    const swapLast = (t: tf.TensorInfo): tf.TensorInfo => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
      return transpose({ inputs: { x: t }, backend, attrs: { perm } });
    };
    const a = transposeA ? swapLast(inputs['a']!) : inputs['a']!;
    const b = transposeB ? swapLast(inputs['b']!) : inputs['b']!;
    try {
      return matMul({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      if (transposeA) disposeData(backend, a);
      if (transposeB) disposeData(backend, b);
    }
  };
  (wrapped as { strandWrapped?: boolean }).strandWrapped = true;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: wrapped as unknown as tf.KernelFunc });
}
