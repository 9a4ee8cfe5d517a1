/**
 * The backend choice on the page: `?backend=webgpu|wasm|cpu|auto` forces one (the engine worker
 * starts it, backend.ts), and the line that describes the running one. Types only from
 * @strand/backend: the page itself loads no tfjs.
 */
import type { BackendInfo, BackendPreference } from '@strand/backend';

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

/** One line for the page: the device, and whether it is a software emulation. */
export function describeBackend(info: BackendInfo): string {
  const adapter = info.details['adapter'] ?? info.details['vendor'];
  const parts = [info.device];
  if (adapter !== undefined && !info.device.includes(String(adapter))) parts.push(String(adapter));
  if (!/software/i.test(parts.join(' '))) parts.push(info.software ? 'software' : 'hardware');
  return `(${parts.join(', ')})`;
}
