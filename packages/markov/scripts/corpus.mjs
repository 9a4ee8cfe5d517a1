// Shared data helpers for the example scripts and the benchmark (plain Node ESM).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** STRAND_DATA_DIR, else ../shared/data beside the checkout (as @strand/test-utils resolves it). */
export function dataDir() {
  if (process.env.STRAND_DATA_DIR) return resolve(process.env.STRAND_DATA_DIR);
  return resolve(here, '..', '..', '..', '..', 'shared', 'data');
}

export function dataPath(...parts) {
  return join(dataDir(), ...parts);
}

export function hasData(...parts) {
  return existsSync(dataPath(...parts));
}

const WORD = /[A-Za-z]+(?:'[A-Za-z]+)*|[0-9]+|[^\sA-Za-z0-9]/g;

/** Words and punctuation of one line. */
export function tokenize(line) {
  return line.match(WORD) ?? [];
}

/**
 * Tiny Shakespeare as sentences (one per non-empty line), split as the data README says: the
 * first 90% of the characters train, the last 10% validate (cut at the line boundary).
 */
export function shakespeare() {
  const text = readFileSync(dataPath('tinyshakespeare', 'input.txt'), 'utf8');
  const cut = text.indexOf('\n', Math.floor(text.length * 0.9));
  const lines = (s) =>
    s
      .split('\n')
      .map(tokenize)
      .filter((t) => t.length > 0);
  return { train: lines(text.slice(0, cut)), valid: lines(text.slice(cut + 1)) };
}
