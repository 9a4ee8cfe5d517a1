// A page built by Vite from the BUILT packages, as an application would use them. It runs the
// conformance suite on WebGPU and WASM against cpu and leaves the results on window.__strand.

import {
  formatConformance,
  listBackends,
  registerProvider,
  runConformance,
  useBackend,
  wasmProvider,
} from '@strand/backend';
import { webgpuProvider } from '@strand/backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';

declare global {
  interface Window {
    __strand?: unknown;
  }
}

async function main(): Promise<void> {
  registerProvider(webgpuProvider());
  registerProvider(wasmProvider({ wasmPaths: '/wasm/' }));
  const statuses = await listBackends();
  await useBackend('cpu');
  const report: Record<string, unknown> = {
    statuses,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
  };
  for (const name of ['webgpu', 'wasm'] as const) {
    try {
      const info = await useBackend(name);
      const results = await runConformance(name);
      report[name] = { info, results };
    } catch (error) {
      report[name] = { error: String((error as Error).stack ?? error) };
    }
  }
  // Gradients registered by @strand/backend in a bundled browser build.
  report['grad'] = Array.from(
    tf
      .grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3]))
      .dataSync(),
  );
  window.__strand = report;
  const lines = ['webgpu', 'wasm'].map((n) => {
    const r = report[n] as { results?: Parameters<typeof formatConformance>[0]; error?: string };
    return r.results ? formatConformance(r.results) : `${n}: ${r.error}`;
  });
  document.getElementById('out')!.textContent = lines.join('\n');
}

main().catch((error) => {
  window.__strand = { fatal: String((error as Error).stack ?? error) };
});
