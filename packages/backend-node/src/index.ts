import type { BackendProvider } from '@strand/backend';
import { cudaProvider, nativeCpuProvider } from './native.js';

export { cudaProvider, type NativeOptions, nativeCpuProvider } from './native.js';

/** Discovery hook for `useBackend('auto')` in Node (see @strand/backend). */
export function strandProviders(): BackendProvider[] {
  return [cudaProvider(), nativeCpuProvider()];
}
