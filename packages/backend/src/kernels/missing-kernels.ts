import * as tf from '@tensorflow/tfjs-core';
import { MissingKernelError } from '../errors.js';

const BACKENDS = ['cpu', 'wasm', 'webgpu', 'tensorflow', 'webgl'];
/** `backend/kernel` keys of the throwing kernels registered here, so they never count as real ones. */
const stubs = new Set<string>();

function implementsKernel(backendName: string, kernelName: string): boolean {
  if (stubs.has(`${backendName}/${kernelName}`)) return false;
  return tf.getKernelsForBackend(backendName).some((k) => k.kernelName === kernelName);
}

/** The loaded backends (other than `except`) that really implement `kernelName`. */
export function backendsWithKernel(kernelName: string, except?: string): string[] {
  return BACKENDS.filter((b) => b !== except && implementsKernel(b, kernelName));
}

/**
 * For every kernel that some loaded backend has and `backendName` lacks, registers a kernel that throws
 * MissingKernelError naming the kernel and where it exists, instead of tfjs' bare "not registered".
 */
export function registerMissingKernelErrors(backendName: string): void {
  const have = new Set(tf.getKernelsForBackend(backendName).map((k) => k.kernelName));
  const known = new Set<string>();
  for (const b of BACKENDS) {
    if (b === backendName) continue;
    for (const k of tf.getKernelsForBackend(b))
      if (!stubs.has(`${b}/${k.kernelName}`)) known.add(k.kernelName);
  }
  for (const kernelName of known) {
    if (have.has(kernelName)) continue;
    stubs.add(`${backendName}/${kernelName}`);
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc: () => {
        throw new MissingKernelError(kernelName, backendName, backendsWithKernel(kernelName, backendName));
      },
    });
  }
}

/** Kernels of `backendName` that are real implementations (not MissingKernelError stubs). */
export function implementedKernels(backendName: string): string[] {
  return tf
    .getKernelsForBackend(backendName)
    .map((k) => k.kernelName)
    .filter((k) => !stubs.has(`${backendName}/${k}`));
}
