import * as tf from '@tensorflow/tfjs-core';

/** Input arrays by name (absent optional inputs are undefined) plus their shapes. */
export type KernelArrays = Readonly<Record<string, Float32Array | undefined>>;
export type KernelShapes = Readonly<Record<string, readonly number[] | undefined>>;
export type KernelAttrs = Readonly<Record<string, number | boolean>>;
export type KernelInputs = Readonly<Record<string, tf.Tensor | null | undefined>>;

/**
 * A pointwise kernel of the fused path, in two implementations:
 * - `js` loops over Float32Arrays; it is registered as a tfjs kernel on the cpu and wasm backends and
 *   reads and writes their memory directly, so a whole gate block costs one kernel launch (and no
 *   slice copies, which the wasm backend makes of the whole source tensor);
 * - `ops` composes tfjs ops and runs on every other backend (WebGPU).
 * Both compute the same numbers; the tests run both.
 */
export interface FusedKernel {
  readonly name: string;
  /** Output shapes from the input shapes. */
  outputShapes(shapes: KernelShapes, attrs: KernelAttrs): number[][];
  js(inputs: KernelArrays, outputs: Float32Array[], shapes: KernelShapes, attrs: KernelAttrs): void;
  ops(inputs: KernelInputs, attrs: KernelAttrs): tf.Tensor[];
}

type Mode = 'auto' | 'js' | 'ops';
let mode: Mode = 'auto';

/**
 * Test hook: 'ops' forces the composite implementations on cpu and wasm, 'js' requires the JS ones.
 * @internal
 */
export function setFusedKernelMode(next: Mode): void {
  mode = next;
}

const JS_BACKENDS = new Set(['cpu', 'wasm']);
const registered = new Set<string>();

interface WasmLike {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}
interface CpuLike {
  data: { get(id: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function kernelFunc(k: FusedKernel, backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = (attrs ?? {}) as unknown as KernelAttrs;
    const shapes: Record<string, readonly number[]> = {};
    for (const [key, info] of Object.entries(inputs)) if (info) shapes[key] = info.shape;
    const outShapes = k.outputShapes(shapes, a);
    const arrays: Record<string, Float32Array> = {};
    if (backendName === 'wasm') {
      const be = backend as unknown as WasmLike;
      // Outputs first: allocating may grow the heap, which detaches earlier views.
      const outs = outShapes.map((s) => be.makeOutput(s, 'float32'));
      for (const [key, info] of Object.entries(inputs)) if (info) arrays[key] = be.typedArrayFromHeap(info);
      k.js(
        arrays,
        outs.map((o) => be.typedArrayFromHeap(o)),
        shapes,
        a,
      );
      return outs;
    }
    const be = backend as unknown as CpuLike;
    for (const [key, info] of Object.entries(inputs))
      if (info) arrays[key] = be.data.get(info.dataId).values as Float32Array;
    const outArrays = outShapes.map((s) => new Float32Array(s.reduce((x, y) => x * y, 1)));
    k.js(arrays, outArrays, shapes, a);
    return outArrays.map((values, i) => be.makeTensorInfo(outShapes[i]!, 'float32', values));
  };
}

/** Whether the JS kernels run on the current backend. */
export function usesJsKernels(): boolean {
  if (mode === 'ops') return false;
  const ok = JS_BACKENDS.has(tf.getBackend());
  if (mode === 'js' && !ok)
    throw new Error(`fused JS kernels need the cpu or wasm backend, not '${tf.getBackend()}'`);
  return ok;
}

/** Runs a fused kernel on the current backend; returns its outputs (the caller owns them). */
export function runFused(k: FusedKernel, inputs: KernelInputs, attrs: KernelAttrs = {}): tf.Tensor[] {
  if (!usesJsKernels()) return k.ops(inputs, attrs);
  const backendName = tf.getBackend();
  const key = `${backendName}/${k.name}`;
  if (!registered.has(key)) {
    // @strand/backend registers MissingKernelError stubs for kernels another backend has (ours, once
    // registered anywhere); replace such a stub rather than registering over it.
    if (tf.getKernel(k.name, backendName) !== undefined) tf.unregisterKernel(k.name, backendName);
    tf.registerKernel({ kernelName: k.name, backendName, kernelFunc: kernelFunc(k, backendName) });
    registered.add(key);
  }
  const present: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(inputs)) if (t) present[name] = t;
  const out = tf.engine().runKernel(k.name, present, attrs as unknown as tf.NamedAttrMap);
  return Array.isArray(out) ? out : [out as tf.Tensor];
}

// ---- helpers shared by the composite (`ops`) implementations ----

/** x[:, off : off + width] of a [batch, n] tensor. */
export function cols(x: tf.Tensor, off: number, width: number): tf.Tensor2D {
  return tf.slice(x, [0, off], [-1, width]) as tf.Tensor2D;
}

/** x[:, t, off : off + width] of a [batch, time, n] tensor, as [batch, width]. */
export function stepCols(x: tf.Tensor, t: number, off: number, width: number): tf.Tensor2D {
  const b = x.shape[0]!;
  return tf.reshape(tf.slice(x, [0, t, off], [b, 1, width]), [b, width]);
}

/** mask[:, t] as [batch, 1], or null. */
export function maskAt(mask: tf.Tensor | null | undefined, t: number): tf.Tensor2D | null {
  return mask ? (tf.slice(mask, [0, t], [-1, 1]) as tf.Tensor2D) : null;
}
