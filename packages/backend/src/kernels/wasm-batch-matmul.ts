import * as tf from '@tensorflow/tfjs-core';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type Kernel = (args: KernelArgs) => tf.TensorInfo;

/** The parts of tfjs-backend-wasm 4.22's BackendWasm that the batched path reaches into. */
interface WasmBackendLike {
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): void;
  wasm: {
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  };
}

/** tfjs-backend-wasm's exported C function `BatchMatMul`, wrapped once per wasm module. */
const rawMatMuls = new WeakMap<object, (...args: unknown[]) => void>();

const shapeBytes = (shape: readonly number[]) => new Uint8Array(new Int32Array(shape).buffer);
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * a [batch, M, K] · b [batch, K, N] (batch > 1, no transposes) as `batch` XNNPACK products. tfjs-backend-wasm
 * 4.22 sends every product whose operands have a batch dimension above 1 to a scalar triple loop (about
 * 1 GFLOP/s: the attention scores and their gradients); its XNNPACK path takes only batch 1. Each batch
 * entry is registered with the wasm side as a zero-copy view (a fresh tensor id over a sub-range of the
 * operand's heap memory), multiplied on the fast path straight into its slice of the output, and the views
 * are unregistered again (which also frees the XNNPACK operator cached on the `b` view).
 * `bShared`: b has batch 1 and is reused for every entry. Returns null where the backend is not the
 * expected shape (then the caller falls back to tfjs' kernel).
 */
function batchedOnHeap(
  backendIn: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  batch: number,
  aShared: boolean,
  outShape: number[],
): tf.TensorInfo | null {
  const be = backendIn as WasmBackendLike;
  if (typeof be.wasm?.cwrap !== 'function' || typeof be.wasm.tfjs?.registerTensor !== 'function') return null;
  let raw = rawMatMuls.get(be.wasm);
  if (raw === undefined) {
    raw = be.wasm.cwrap('BatchMatMul', null, [
      'number',
      'array',
      'number',
      'number',
      'array',
      'number',
      'number',
      'number',
      'number',
    ]);
    rawMatMuls.set(be.wasm, raw);
  }
  const [M, K] = a.shape.slice(-2) as [number, number];
  const N = b.shape[b.shape.length - 1]!;
  const out = be.makeOutput(outShape, 'float32');
  // Offsets after allocating the output (allocation may move nothing, but read them last regardless).
  const aOff = be.dataIdMap.get(a.dataId).memoryOffset;
  const bOff = be.dataIdMap.get(b.dataId).memoryOffset;
  const oOff = be.dataIdMap.get(out.dataId).memoryOffset;
  const aShape = shapeBytes([1, M, K]);
  const bShape = shapeBytes([1, K, N]);
  const view = (offset: number, size: number): number => {
    const id = be.dataIdNextNumber++;
    be.wasm.tfjs.registerTensor(id, size, offset);
    return id;
  };
  for (let i = 0; i < batch; i++) {
    const aId = view(aOff + (aShared ? 0 : i * M * K * 4), M * K);
    const bId = view(bOff + i * K * N * 4, K * N);
    const oId = view(oOff + i * M * N * 4, M * N);
    try {
      raw(aId, aShape, 3, bId, bShape, 3, false, false, oId);
    } finally {
      be.wasm.tfjs.disposeData(aId);
      be.wasm.tfjs.disposeData(bId);
      be.wasm.tfjs.disposeData(oId);
    }
  }
  return out;
}

/**
 * tfjs-backend-wasm 4.22's BatchMatMul runs 10-30x slower when an operand is transposed (measured:
 * [32,1024]x[320,1024]^T at 1.0 GFLOP/s against 11 for the plain product), and every backward pass
 * multiplies by transposes. This wraps the kernel: transpose the operand into a fresh buffer with the
 * wasm Transpose kernel (a cheap copy), then run the fast non-transposed product. Batched products
 * (batch > 1, e.g. attention's [B, heads, T, T] · [B, heads, T, d]) run as one XNNPACK product per
 * batch entry on views of the heap (`batchedOnHeap`), and a batch-1 `b` folds a's batch into its rows.
 */
export function registerFastTransposedMatMul(): void {
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transposeKernel = tf.getKernel(tf.Transpose, 'wasm');
  const reshapeKernel = tf.getKernel(tf.Reshape, 'wasm');
  if (
    !original ||
    !transposeKernel ||
    !reshapeKernel ||
    (original.kernelFunc as { strandWrapped?: boolean }).strandWrapped
  )
    return;
  const matMul = original.kernelFunc as unknown as Kernel;
  const transpose = transposeKernel.kernelFunc as unknown as Kernel;
  const reshape = reshapeKernel.kernelFunc as unknown as Kernel;
  const disposeData = (backend: unknown, t: tf.TensorInfo) =>
    (backend as { disposeData(id: tf.DataId): void }).disposeData(t.dataId);

  /** a · b without transposes, batched where tfjs' kernel would take its scalar loop. */
  const plain = (a: tf.TensorInfo, b: tf.TensorInfo, backend: unknown, attrs: tf.NamedAttrMap) => {
    const batchA = sizeOf(a.shape.slice(0, -2));
    const batchB = sizeOf(b.shape.slice(0, -2));
    if (
      (batchA === 1 && batchB === 1) ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      sizeOf(a.shape) === 0 ||
      sizeOf(b.shape) === 0
    )
      return matMul({ inputs: { a, b }, backend, attrs });
    const [M, K] = a.shape.slice(-2) as [number, number];
    const N = b.shape[b.shape.length - 1]!;
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const outShape = [...outer, M, N];
    if (batchB === 1) {
      // b is shared: a's batch entries are just more rows of one product.
      const a2 = reshape({ inputs: { x: a }, backend, attrs: { shape: [1, batchA * M, K] } });
      const b2 = reshape({ inputs: { x: b }, backend, attrs: { shape: [1, K, N] } });
      try {
        const r = matMul({ inputs: { a: a2, b: b2 }, backend, attrs });
        const shaped = reshape({ inputs: { x: r }, backend, attrs: { shape: outShape } });
        disposeData(backend, r);
        return shaped;
      } finally {
        disposeData(backend, a2);
        disposeData(backend, b2);
      }
    }
    // Only one batch axis pattern: equal batches, or a shared a (tfjs' own kernel handles no other).
    if ((batchA !== batchB && batchA !== 1) || sizeOf(outer) !== batchB)
      return matMul({ inputs: { a, b }, backend, attrs });
    return (
      batchedOnHeap(backend, a, b, batchB, batchA === 1, outShape) ??
      matMul({ inputs: { a, b }, backend, attrs })
    );
  };

  const wrapped: Kernel = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
    if (!transposeA && !transposeB) return plain(inputs['a']!, inputs['b']!, backend, plainAttrs);
    const swapLast = (t: tf.TensorInfo): tf.TensorInfo => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
      return transpose({ inputs: { x: t }, backend, attrs: { perm } });
    };
    const a = transposeA ? swapLast(inputs['a']!) : inputs['a']!;
    const b = transposeB ? swapLast(inputs['b']!) : inputs['b']!;
    try {
      return plain(a, b, backend, plainAttrs);
    } finally {
      if (transposeA) disposeData(backend, a);
      if (transposeB) disposeData(backend, b);
    }
  };
  (wrapped as { strandWrapped?: boolean }).strandWrapped = true;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: wrapped as unknown as tf.KernelFunc });
}
