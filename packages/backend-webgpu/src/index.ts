import type { BackendProvider } from '@strand/backend';
import { webgpuProvider } from './provider.js';

export { type AdapterReport, adapterLabel, describeAdapter } from './adapter.js';
export { type DawnOptions, type GpuLike, getGpu } from './gpu.js';
export { type WebGpuOptions, webgpuProvider } from './provider.js';

/** Discovery hook for `useBackend('auto')` in Node (see @strand/backend). */
export function strandProviders(): BackendProvider[] {
  return [webgpuProvider()];
}
