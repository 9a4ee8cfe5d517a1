/** Facts about the JavaScript runtime, without importing Node modules statically (browser-safe). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** An environment variable in Node; undefined elsewhere (browser-safe: no `process` reference at import). */
export function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

export function isBrowser(): boolean {
  return typeof (globalThis as { window?: unknown }).window !== 'undefined' && !isNode();
}

/**
 * `import()` of a specifier that bundlers must not try to resolve at build time
 * (an optional package, or a `node:` module reached only in Node).
 */
export function importOptional<T = unknown>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ specifier) as Promise<T>;
}

/** The CPU in words: its model in Node, the logical core count elsewhere. */
export async function describeCpu(): Promise<{ model: string; cores: number }> {
  if (isNode()) {
    const os = await importOptional<typeof import('node:os')>('node:os');
    const cpus = os.cpus();
    return {
      model: cpus[0]?.model.trim() ?? 'unknown CPU',
      cores: os.availableParallelism?.() ?? cpus.length,
    };
  }
  const cores =
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return { model: 'CPU', cores };
}
