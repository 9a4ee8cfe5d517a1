import { ARRAY_KERNEL_BACKENDS, type ArrayKernelSpec, registerArrayKernel } from '@strand/backend';
import { StrandError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';

/** Input arrays by name (absent optional inputs are undefined) plus their shapes. */
export type KernelArrays = Readonly<Record<string, Float32Array | undefined>>;
export type KernelShapes = Readonly<Record<string, readonly number[] | undefined>>;
export type KernelAttrs = Readonly<Record<string, number | boolean>>;
export type KernelInputs = Readonly<Record<string, tf.Tensor | null | undefined>>;

/**
 * A pointwise kernel of the fused path, in two implementations:
 * - `js` loops over Float32Arrays; @strand/backend's `registerArrayKernel` registers it as a tfjs kernel
 *   on the cpu and wasm backends, where it reads and writes their memory directly, so a whole gate block costs one kernel launch (and no
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

const JS_BACKENDS = new Set(ARRAY_KERNEL_BACKENDS);
/** Array-kernel specs by `backend/kernel`, made once so that registration stays idempotent. */
const specs = new Map<string, ArrayKernelSpec>();

function arraySpec(k: FusedKernel, backendName: string): ArrayKernelSpec {
  const key = `${backendName}/${k.name}`;
  let spec = specs.get(key);
  if (spec === undefined) {
    spec = {
      kernelName: k.name,
      backendName,
      outputShapes: (shapes, attrs) => k.outputShapes(shapes, attrs),
      compute: (inputs, outputs, shapes, attrs) => k.js(inputs, outputs, shapes, attrs),
    };
    specs.set(key, spec);
  }
  return spec;
}

/** Whether the JS kernels run on the current backend. */
export function usesJsKernels(): boolean {
  if (mode === 'ops') return false;
  const ok = JS_BACKENDS.has(tf.getBackend());
  if (mode === 'js' && !ok)
    throw new StrandError(
      'ERR_BACKEND',
      `fused JS kernels need the cpu or wasm backend, not '${tf.getBackend()}'`,
    );
  return ok;
}

/** Runs a fused kernel on the current backend; returns its outputs (the caller owns them). */
export function runFused(k: FusedKernel, inputs: KernelInputs, attrs: KernelAttrs = {}): tf.Tensor[] {
  if (!usesJsKernels()) return k.ops(inputs, attrs);
  // @strand/backend owns tfjs' kernel registry: it registers the kernel once (replacing its own
  // MissingKernelError stub, never a real kernel) and knows how to reach the backend's memory.
  registerArrayKernel(arraySpec(k, tf.getBackend()));
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
