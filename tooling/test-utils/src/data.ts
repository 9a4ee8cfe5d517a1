import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared data directory: `STRAND_DATA_DIR`, else `../shared/data` beside the checkout.
 * Data sets are never committed; tests that need one skip when it is absent.
 */
export function dataDir(): string {
  if (process.env['STRAND_DATA_DIR']) return resolve(process.env['STRAND_DATA_DIR']);
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return resolve(repoRoot, '..', 'shared', 'data');
}

export function dataPath(...parts: string[]): string {
  return join(dataDir(), ...parts);
}

export function hasData(...parts: string[]): boolean {
  return existsSync(dataPath(...parts));
}
