import { getThreadsCount, setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from '../kernels/wasm-training-kernels.js';
import { describeCpu } from '../runtime.js';
import type { BackendProvider } from '../types.js';

export interface WasmOptions {
  /**
   * Where the `.wasm` files are served from, in a browser: a URL prefix ending in '/', or a map from
   * file name (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`, `tfjs-backend-wasm-threaded-simd.wasm`)
   * to URL. Not needed in Node, where the files are read from the installed package.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /**
   * Threads for the multi-threaded build, used when the page is cross-origin isolated (COOP + COEP
   * headers). Default: every logical core (`navigator.hardwareConcurrency`). Node runs single-threaded.
   */
  readonly threads?: number;
}

/** tfjs' WebAssembly backend (SIMD, and threads where the page is cross-origin isolated), plus the training kernels it lacks. */
export function wasmProvider(options: WasmOptions = {}): BackendProvider {
  return {
    name: 'wasm',
    tfjsName: 'wasm',
    async probe() {
      if (typeof WebAssembly !== 'object') {
        return {
          available: false,
          reason: 'this runtime has no WebAssembly',
          install: 'Use a runtime with WebAssembly.',
        };
      }
      return { available: true, software: false, device: 'WebAssembly' };
    },
    async register() {
      if (options.wasmPaths !== undefined) {
        setWasmPaths(options.wasmPaths as string | { [file: string]: string });
      }
      const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
        ?.hardwareConcurrency;
      const threads = options.threads ?? cores;
      if (threads !== undefined && threads > 0) setThreadsCount(threads); // read when the backend initialises
      registerWasmTrainingKernels();
    },
    async describe() {
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      const threaded = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
      const threads = getThreadsCount(); // real once initialised: 1 on the single-threaded build
      const cpu = await describeCpu();
      return {
        device: `${cpu.model} (WebAssembly${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'})`,
        software: false,
        details: {
          simd,
          multithreadSupport: threaded,
          threads,
          cores: cpu.cores,
          'tfjs-core': tf.version_core,
          'tfjs-backend-wasm': version_wasm,
        },
      };
    },
  };
}
