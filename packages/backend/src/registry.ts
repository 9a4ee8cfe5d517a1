import { cpuProvider } from './providers/cpu.js';
import { wasmProvider } from './providers/wasm.js';
import { importOptional, isNode } from './runtime.js';

import type { BackendName, BackendProvider } from './types.js';

const providers = new Map<BackendName, BackendProvider>([
  ['wasm', wasmProvider()],
  ['cpu', cpuProvider],
]);

/** The package that provides each backend Strand does not ship in this package. */
export const providerPackages: Readonly<Record<BackendName, string | null>> = {
  cuda: '@strand/backend-node',
  'native-cpu': '@strand/backend-node',
  webgpu: '@strand/backend-webgpu',
  wasm: null,
  cpu: null,
};

/**
 * Makes a provider known to `useBackend` and `listBackends` (replacing one of the same name).
 * In a browser, WebGPU is added this way: `registerProvider(webgpuProvider())`.
 */
export function registerProvider(provider: BackendProvider): void {
  providers.set(provider.name, provider);
}

const attempted = new Set<string>();

/**
 * In Node, loads the optional provider packages that are installed, so `auto` can consider them.
 * Each package exports `strandProviders(): BackendProvider[]`. In browsers this does nothing:
 * bundlers need an explicit import, so call `registerProvider` there.
 */
async function discoverOptionalProviders(): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  if (!isNode()) return failures;
  for (const pkg of new Set(Object.values(providerPackages))) {
    if (pkg === null || attempted.has(pkg)) continue;
    attempted.add(pkg);
    try {
      const mod = await importInstalled<{ strandProviders?: () => BackendProvider[] }>(pkg);
      for (const p of mod.strandProviders?.() ?? []) if (!providers.has(p.name)) providers.set(p.name, p);
    } catch (error) {
      failures.set(pkg, (error as Error).message);
    }
  }
  return failures;
}

/**
 * Imports a package that this one does not depend on: first as seen from here, then as seen from the
 * working directory (the application that installed it), since strict layouts such as pnpm's hide
 * an application's packages from its dependencies.
 */
async function importInstalled<T>(pkg: string): Promise<T> {
  try {
    return await importOptional<T>(pkg);
  } catch (first) {
    const { createRequire } = await importOptional<typeof import('node:module')>('node:module');
    const { pathToFileURL } = await importOptional<typeof import('node:url')>('node:url');
    const cwd = (globalThis as unknown as { process: { cwd(): string } }).process.cwd();
    let resolved: string;
    try {
      resolved = createRequire(`${cwd}/`).resolve(pkg);
    } catch {
      throw first;
    }
    return importOptional<T>(pathToFileURL(resolved).href);
  }
}

export async function knownProviders(): Promise<Map<BackendName, BackendProvider>> {
  await discoverOptionalProviders();
  return providers;
}
