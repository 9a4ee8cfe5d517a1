import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { importOptional } from '../runtime.js';

/** The part of an Emscripten module that BackendWasm uses, plus the wrappers tfjs adds. */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, (...a: number[]) => number>;
  PThread: { unusedWorkers: NodeWorker[]; runningWorkers: NodeWorker[] };
}
interface NodeWorker {
  unref(): void;
}
type ThreadedFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

const WASM_OUT = '@tensorflow/tfjs-backend-wasm/wasm-out/';
/** How long the threads may take to start before we fall back to the single-threaded build. */
const START_TIMEOUT_MS = 30_000;

/**
 * Makes the 'wasm' backend start tfjs-backend-wasm's multi-threaded SIMD build in Node, with `threads`
 * threads. tfjs turns threads off in Node (tensorflow/tfjs#3830: the build's pthreads are browser
 * workers made from Blobs); here they are worker_threads running `wasm-pthread-worker.cjs`.
 * If the threaded build fails to start, tfjs' own single-threaded backend starts instead, with a warning.
 * Does nothing once the wasm backend is initialised: its thread count is fixed for the process.
 */
export async function useThreadedWasmInNode(threads: number, Backend: typeof BackendWasm): Promise<void> {
  if (tf.engine().registry['wasm'] !== undefined) return;
  const stock = tf.engine().registryFactory['wasm'];
  if (stock === undefined) return;
  const { createRequire } = await importOptional<typeof import('node:module')>('node:module');
  const { readFile } = await importOptional<typeof import('node:fs/promises')>('node:fs/promises');
  const { fileURLToPath } = await importOptional<typeof import('node:url')>('node:url');
  const require = createRequire(import.meta.url);
  const workerPath = fileURLToPath(new URL(/* @vite-ignore */ '../wasm-pthread-worker.cjs', import.meta.url));

  const startThreaded = async (): Promise<tf.KernelBackend> => {
    const factory = require(`${WASM_OUT}tfjs-backend-wasm-threaded-simd.js`) as ThreadedFactory;
    const binary = await readFile(require.resolve(`${WASM_OUT}tfjs-backend-wasm-threaded-simd.wasm`));
    const module = await factory({
      locateFile: (file: string) =>
        file.endsWith('.worker.js') ? workerPath : require.resolve(WASM_OUT + file),
      instantiateWasm(imports: { env: Record<string, unknown> }, receive: (i: unknown, m: unknown) => void) {
        // tfjs sizes its thread pool as half the logical cores (assuming 2 hyperthreads per core), capped
        // at 8 workers; report twice the wanted count so that the pool gets exactly `threads`.
        imports.env['emscripten_num_logical_cores'] = () => 2 * threads;
        WebAssembly.instantiate(binary, imports as WebAssembly.Imports).then((r) =>
          receive(r.instance, r.module),
        );
        return {};
      },
    });
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    const backend = new Backend(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
    // The pool's threads wait for work forever; they must not keep the process from exiting.
    for (const w of [...module.PThread.unusedWorkers, ...module.PThread.runningWorkers]) w.unref();
    return backend;
  };

  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`its ${threads} threads did not start in ${START_TIMEOUT_MS / 1000} s`)),
          START_TIMEOUT_MS,
        );
      });
      try {
        return await Promise.race([startThreaded(), timeout]);
      } catch (error) {
        console.warn(
          `@strand/backend: the multi-threaded wasm build could not start (${(error as Error).message}); using one thread.`,
        );
        return stock.factory();
      } finally {
        clearTimeout(timer);
      }
    },
    stock.priority,
  );
}
