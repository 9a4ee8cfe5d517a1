import { ConfigError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from '../kernels/wasm-training-kernels.js';
import { describeCpu, envVar, isNode } from '../runtime.js';
import type { BackendProvider } from '../types.js';
import { withoutEmscriptenProcessHandlers } from './wasm-process-handlers.js';

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');
let loading: Promise<WasmModule> | undefined;

/**
 * tfjs-backend-wasm, imported on first use. A dynamic import, so that bundlers split it (and its
 * .wasm binaries) into a chunk that an app fetches only when it selects wasm: a WebGPU-only app does
 * not carry it. Importing it registers the 'wasm' backend factory with the engine.
 */
export function loadWasmModule(): Promise<WasmModule> {
  loading ??= import('@tensorflow/tfjs-backend-wasm').catch((error: unknown) => {
    loading = undefined; // a failed chunk download may succeed on the next try
    throw error;
  });
  return loading;
}

const guarded = new WeakSet<object>();

/** Wraps the registered 'wasm' factory so the emscripten process handlers it installs are removed. */
function guardProcessHandlers(): void {
  if (tf.engine().registry['wasm'] !== undefined) return; // already initialised (and already guarded)
  const registered = tf.engine().registryFactory['wasm'];
  if (registered === undefined || guarded.has(registered.factory)) return;
  const factory = () => withoutEmscriptenProcessHandlers(async () => registered.factory());
  guarded.add(factory);
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, registered.priority);
}

/** XNNPACK's pool in tfjs-backend-wasm has at most 8 workers. */
const MAX_THREADS = 8;

/** The thread count: the option, else STRAND_WASM_THREADS, else every logical core; 1 to 8. */
export async function wantedThreads(option?: number): Promise<number> {
  const fromEnv = envVar('STRAND_WASM_THREADS');
  const raw = option ?? (fromEnv ? Number(fromEnv) : (await describeCpu()).cores);
  if (!Number.isInteger(raw) || raw < 1) {
    const source = option !== undefined ? 'wasmProvider({ threads })' : 'STRAND_WASM_THREADS';
    throw new ConfigError(
      `${source} must be a whole number from 1 to ${MAX_THREADS}, got ${String(option ?? fromEnv)}`,
      option !== undefined ? 'threads' : 'STRAND_WASM_THREADS',
    );
  }
  return Math.min(raw, MAX_THREADS);
}

export interface WasmOptions {
  /**
   * Where the `.wasm` files are served from, in a browser: a URL prefix ending in '/', or a map from
   * file name (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`, `tfjs-backend-wasm-threaded-simd.wasm`)
   * to URL. Not needed in Node, where the files are read from the installed package, nor in an app built
   * by a bundler that resolves package paths in `new URL('…', import.meta.url)` (Vite), which emits
   * the binaries itself. Takes precedence over the bundled URLs.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /**
   * Threads for XNNPACK's matmuls and convolutions (1 to 8). Default: `STRAND_WASM_THREADS`, else every
   * logical core. In Node the multi-threaded build runs on worker_threads; in a browser it needs a
   * cross-origin isolated page (COOP + COEP headers), else the backend runs on one thread.
   * One thread gives the lowest latency for tiny ops (generating one token at a time); more threads
   * speed up training-size matmuls. Fixed once the backend has started.
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
      const wasm = await loadWasmModule();
      const initialised = tf.engine().registry['wasm'] !== undefined;
      if (!initialised) {
        const paths =
          options.wasmPaths ?? (isNode() ? undefined : (await import('./wasm-urls.js')).bundledWasmPaths());
        if (paths !== undefined) wasm.setWasmPaths(paths as string | { [file: string]: string });
      }
      const threads = await wantedThreads(options.threads);
      wasm.setThreadsCount(threads); // read when the backend initialises
      if (isNode() && threads > 1) {
        const { useThreadedWasmInNode } = await import('./wasm-node-threads.js');
        await useThreadedWasmInNode(threads, wasm.BackendWasm);
      }
      guardProcessHandlers();
      registerWasmTrainingKernels();
    },
    async describe() {
      const { getThreadsCount, version_wasm } = await loadWasmModule();
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      const threads = getThreadsCount(); // real once initialised: 1 on the single-threaded build
      const threaded = threads > 1 || Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
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
