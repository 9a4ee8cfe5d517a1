import type { BackendName, BackendProvider } from '@strand/backend';
import * as tf from '@tensorflow/tfjs-core';

/** The part of @tensorflow/tfjs-node(-gpu)'s backend this package reads. */
interface NodeKernelBackend {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
  binding?: { TF_Version?: string; isUsingGpuDevice?: () => boolean };
}

export interface NativeOptions {
  /**
   * Loads the tfjs-node package. Defaults to `import()` of the package named by the provider;
   * tests and unusual installs can pass their own.
   */
  readonly load?: () => Promise<unknown>;
  /** Returns true when the package can be resolved from here, without loading it. */
  readonly isInstalled?: () => Promise<boolean>;
}

// libtensorflow 2.9.1 is what @tensorflow/tfjs-node(-gpu) 4.x downloads at install time.
const CUDA_REQUIREMENTS =
  'Linux x86-64 with an NVIDIA driver, CUDA 11.2 and cuDNN 8.1 (what libtensorflow 2.9 needs)';

async function resolvable(pkg: string): Promise<boolean> {
  try {
    const { createRequire } = await import('node:module');
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    try {
      const { createRequire } = await import('node:module');
      createRequire(`${process.cwd()}/`).resolve(pkg);
      return true;
    } catch {
      return false;
    }
  }
}

function nativeProvider(name: BackendName, pkg: string, options: NativeOptions): BackendProvider {
  const isInstalled = options.isInstalled ?? (() => resolvable(pkg));
  const load = options.load ?? (() => import(/* @vite-ignore */ pkg));
  const install =
    name === 'cuda'
      ? `npm install ${pkg} (its install step downloads libtensorflow 2.9 with GPU support; needs ${CUDA_REQUIREMENTS}).`
      : `npm install ${pkg} (its install step downloads libtensorflow 2.9 for the CPU).`;
  let loaded = false;

  return {
    name,
    tfjsName: 'tensorflow',
    async probe() {
      if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') {
        return {
          available: false,
          reason: 'libtensorflow runs only in Node',
          install: 'Use WebGPU or WASM in browsers.',
        };
      }
      if (!(await isInstalled())) return { available: false, reason: `${pkg} is not installed`, install };
      return {
        available: true,
        software: false,
        device: name === 'cuda' ? 'CUDA (libtensorflow)' : 'CPU (libtensorflow)',
      };
    },
    async register() {
      if (loaded) return;
      try {
        // tfjs-node selects itself on import; useBackend re-selects what the caller asked for afterwards.
        await load();
      } catch (error) {
        throw new Error(`${pkg} is installed but failed to load (${(error as Error).message}). ${install}`);
      }
      loaded = true;
      if (!tf.findBackendFactory('tensorflow')) {
        throw new Error(`${pkg} loaded but registered no 'tensorflow' backend with this copy of tfjs-core`);
      }
    },
    async describe() {
      const backend = tf.findBackend('tensorflow') as NodeKernelBackend | null;
      const gpuPackage = Boolean(backend?.isGPUPackage);
      const usingGpu = Boolean(backend?.isUsingGpuDevice ?? backend?.binding?.isUsingGpuDevice?.());
      if (name === 'cuda' && !usingGpu) {
        throw new Error(`${pkg} is loaded but TensorFlow found no usable GPU; needs ${CUDA_REQUIREMENTS}`);
      }
      return {
        device: usingGpu ? 'NVIDIA GPU (CUDA, libtensorflow)' : 'CPU (libtensorflow)',
        software: false,
        details: {
          package: pkg,
          gpuPackage,
          usingGpu,
          tensorflow: backend?.binding?.TF_Version ?? 'unknown',
          'tfjs-core': tf.version_core,
        },
      };
    },
  };
}

/** CUDA through @tensorflow/tfjs-node-gpu, loaded only when installed. */
export function cudaProvider(options: NativeOptions = {}): BackendProvider {
  return nativeProvider('cuda', '@tensorflow/tfjs-node-gpu', options);
}

/** libtensorflow on the CPU through @tensorflow/tfjs-node, loaded only when installed. */
export function nativeCpuProvider(options: NativeOptions = {}): BackendProvider {
  return nativeProvider('native-cpu', '@tensorflow/tfjs-node', options);
}
