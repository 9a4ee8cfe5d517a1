import { defineConfig } from 'vite';
import { dataPlugin } from './build/data.js';
import { serviceWorkerPlugin } from './build/service-worker.js';

// Cross-origin isolation lets the wasm backend load its multi-threaded SIMD build.
const isolation = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

export default defineConfig({
  base: './',
  plugins: [dataPlugin(), serviceWorkerPlugin()],
  server: { headers: isolation },
  preview: { headers: isolation },
  // `vite dev` pre-bundles dependencies into node_modules/.vite, where the wasm URLs of
  // @strand/backend no longer point at the files (see packages/backend/README.md). Builds need nothing.
  optimizeDeps: { exclude: ['@strand/backend'] },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1200 },
});
