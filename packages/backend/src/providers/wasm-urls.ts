/**
 * The `.wasm` binaries, written as `new URL('<package path>', import.meta.url)` so that a bundler (Vite, and
 * others that resolve package paths in this pattern) finds them, copies them into the build and rewrites the URL.
 * Loaded (dynamic import) only in browsers, and only when the wasm backend is registered.
 *
 * Without a bundler the literal resolves next to this file, where no binary is: then the result is
 * undefined and tfjs looks beside its own script (its default), or the caller passes `wasmPaths`.
 */
const DIST = '@tensorflow/tfjs-backend-wasm/dist/';

export function bundledWasmPaths(): Record<string, string> | undefined {
  const files: Record<string, string> = {
    'tfjs-backend-wasm.wasm': new URL(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
      import.meta.url,
    ).href,
    'tfjs-backend-wasm-simd.wasm': new URL(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      import.meta.url,
    ).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
      import.meta.url,
    ).href,
  };
  // Computed from a variable, so no bundler rewrites it: what the literals mean when nothing rewrote them.
  const unbundled = new URL(`${DIST}tfjs-backend-wasm.wasm`, import.meta.url).href;
  return files['tfjs-backend-wasm.wasm'] === unbundled ? undefined : files;
}
