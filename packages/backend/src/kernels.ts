/**
 * The one door through which Strand packages add kernels to tfjs' registry (which is global to the
 * engine). @strand/backend registers MissingKernelError stubs for kernels that another loaded backend
 * has; a package's own kernel replaces such a stub here, never a real kernel, and only kernels that
 * came through this door can be unregistered through it. Calls are idempotent.
 *
 * @example
 * registerArrayKernel({ kernelName: 'StrandLstmCell', backendName: 'cpu', outputShapes, compute });
 */
import { ConfigError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { implementedKernels } from './kernels/missing-kernels.js';

/** `backend/kernel` -> the config Strand registered. */
const registeredByStrand = new Map<string, tf.KernelConfig>();

const keyOf = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

/**
 * Registers a kernel for one backend. Registering the same config again does nothing; a different config
 * for a kernel Strand registered replaces it; a MissingKernelError stub is replaced. A ConfigError if tfjs
 * (or anyone outside this door) already has a real kernel of that name on that backend.
 */
export function registerStrandKernel(config: tf.KernelConfig): void {
  const key = keyOf(config.kernelName, config.backendName);
  const ours = registeredByStrand.get(key);
  if (ours === config) return;
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    if (ours === undefined && implementedKernels(config.backendName).includes(config.kernelName)) {
      throw new ConfigError(
        `kernel '${config.kernelName}' is already registered on '${config.backendName}' outside @strand/backend; Strand does not replace it`,
        'kernelName',
      );
    }
    tf.unregisterKernel(config.kernelName, config.backendName); // our older version, or a stub
  }
  tf.registerKernel(config);
  registeredByStrand.set(key, config);
}

/** Removes a kernel registered by `registerStrandKernel`; returns false (and touches nothing) otherwise. */
export function unregisterStrandKernel(kernelName: string, backendName: string): boolean {
  const key = keyOf(kernelName, backendName);
  if (!registeredByStrand.has(key)) return false;
  registeredByStrand.delete(key);
  if (tf.getKernel(kernelName, backendName) !== undefined) tf.unregisterKernel(kernelName, backendName);
  return true;
}

/** Whether `registerStrandKernel` registered this kernel (and it is still registered). */
export function isStrandKernel(kernelName: string, backendName: string): boolean {
  return registeredByStrand.has(keyOf(kernelName, backendName));
}

/** Float32 inputs by name (optional inputs absent), with their shapes. */
export type ArrayKernelInputs = Readonly<Record<string, Float32Array | undefined>>;
export type ArrayKernelShapes = Readonly<Record<string, readonly number[] | undefined>>;
export type ArrayKernelAttrs = Readonly<Record<string, number | boolean>>;

/** A float32 kernel written as a loop over typed arrays, for the backends whose tensors live in JS memory. */
export interface ArrayKernelSpec {
  readonly kernelName: string;
  /** 'cpu' or 'wasm' (the backends whose memory a JS loop can read and write). */
  readonly backendName: string;
  /** Output shapes from the input shapes. */
  outputShapes(shapes: ArrayKernelShapes, attrs: ArrayKernelAttrs): number[][];
  /** Fills `outputs` (zero-initialised, one per output shape) from `inputs`. */
  compute(
    inputs: ArrayKernelInputs,
    outputs: Float32Array[],
    shapes: ArrayKernelShapes,
    attrs: ArrayKernelAttrs,
  ): void;
}

/** The backends `registerArrayKernel` supports. */
export const ARRAY_KERNEL_BACKENDS: readonly string[] = ['cpu', 'wasm'];

// What a JS loop needs from the cpu and wasm backends (their memory); kept here, in the package that owns them.
interface WasmLike {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}
interface CpuLike {
  data: { get(id: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function arrayKernelFunc(spec: ArrayKernelSpec): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = (attrs ?? {}) as unknown as ArrayKernelAttrs;
    const shapes: Record<string, readonly number[]> = {};
    for (const [key, info] of Object.entries(inputs)) if (info) shapes[key] = info.shape;
    const outShapes = spec.outputShapes(shapes, a);
    const arrays: Record<string, Float32Array> = {};
    if (spec.backendName === 'wasm') {
      const be = backend as unknown as WasmLike;
      // Outputs first: allocating may grow the heap, which detaches earlier views.
      const outs = outShapes.map((s) => be.makeOutput(s, 'float32'));
      for (const [key, info] of Object.entries(inputs)) if (info) arrays[key] = be.typedArrayFromHeap(info);
      spec.compute(
        arrays,
        // The wasm heap is reused: zero the outputs so every backend keeps the documented contract.
        outs.map((o) => (be.typedArrayFromHeap(o) as Float32Array).fill(0)),
        shapes,
        a,
      );
      return outs;
    }
    const be = backend as unknown as CpuLike;
    for (const [key, info] of Object.entries(inputs))
      if (info) arrays[key] = be.data.get(info.dataId).values as Float32Array;
    const outArrays = outShapes.map((s) => new Float32Array(s.reduce((x, y) => x * y, 1)));
    spec.compute(arrays, outArrays, shapes, a);
    return outArrays.map((values, i) => be.makeTensorInfo(outShapes[i]!, 'float32', values));
  };
}

const arrayConfigs = new Map<ArrayKernelSpec, tf.KernelConfig>();

/**
 * Registers a typed-array kernel on 'cpu' or 'wasm' through `registerStrandKernel` (idempotent for the
 * same spec object). A ConfigError for other backends.
 */
export function registerArrayKernel(spec: ArrayKernelSpec): void {
  if (!ARRAY_KERNEL_BACKENDS.includes(spec.backendName)) {
    throw new ConfigError(
      `array kernels run on ${ARRAY_KERNEL_BACKENDS.join(' and ')}, not '${spec.backendName}'`,
      'backendName',
    );
  }
  let config = arrayConfigs.get(spec);
  if (config === undefined) {
    config = {
      kernelName: spec.kernelName,
      backendName: spec.backendName,
      kernelFunc: arrayKernelFunc(spec),
    };
    arrayConfigs.set(spec, config);
  }
  registerStrandKernel(config);
}
