/**
 * Starts the tfjs backend in the engine worker: the one `?backend=` asked for (backend-choice.ts),
 * otherwise auto (WebGPU on a hardware adapter, then WASM, then CPU). The WebGPU and WASM backends
 * live in lazily loaded chunks: each is fetched only when it is selected.
 */
import { type BackendInfo, type BackendPreference, registerProvider, useBackend } from '@strand/backend';
import { webgpuProvider } from '@strand/backend-webgpu';

/**
 * Starts the requested backend; when a forced one cannot start, falls back to auto and says why.
 */
export async function startBackend(
  preference: BackendPreference,
): Promise<{ info: BackendInfo; warning?: string }> {
  registerProvider(webgpuProvider());
  try {
    return { info: await useBackend(preference) };
  } catch (e) {
    if (preference === 'auto') throw e;
    const info = await useBackend('auto');
    return { info, warning: `${preference} could not start (${(e as Error).message}); using ${info.name}` };
  }
}
