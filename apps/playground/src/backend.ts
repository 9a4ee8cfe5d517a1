/**
 * Picks the tfjs backend: `?backend=webgpu|wasm|cpu|auto` forces one, otherwise auto (WebGPU on a
 * hardware adapter, then WASM, then CPU). The WebGPU and WASM backends live in lazily loaded chunks:
 * each is fetched only when it is selected.
 */
import { type BackendInfo, type BackendPreference, registerProvider, useBackend } from '@strand/backend';
import { webgpuProvider } from '@strand/backend-webgpu';

const CHOICES = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

/** The backend the URL asks for (default auto); an unknown name is reported, not guessed at. */
export function requestedBackend(search: string): { preference: BackendPreference; warning?: string } {
  const asked = new URLSearchParams(search).get('backend');
  if (asked === null || asked === '') return { preference: 'auto' };
  if ((CHOICES as readonly string[]).includes(asked)) return { preference: asked as BackendPreference };
  return {
    preference: 'auto',
    warning: `unknown backend '${asked}' (expected one of ${CHOICES.join(', ')}); using auto`,
  };
}

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

/** One line for the page: the device, and whether it is a software emulation. */
export function describeBackend(info: BackendInfo): string {
  const adapter = info.details['adapter'] ?? info.details['vendor'];
  const parts = [info.device];
  if (adapter !== undefined && !info.device.includes(String(adapter))) parts.push(String(adapter));
  if (!/software/i.test(parts.join(' '))) parts.push(info.software ? 'software' : 'hardware');
  return `(${parts.join(', ')})`;
}
