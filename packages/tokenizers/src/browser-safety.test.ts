/**
 * The core must run in browsers: only `node.ts` (the `./node` entry point) may touch Node.js. This scans
 * the source text, so a stray import fails here rather than in a bundler.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const src = dirname(fileURLToPath(import.meta.url));
const builtins = [
  'fs',
  'path',
  'os',
  'url',
  'stream',
  'buffer',
  'crypto',
  'child_process',
  'util',
  'worker_threads',
];
const core = readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'node.ts');

describe('browser safety', () => {
  test('the core is more than a few files (the scan sees them)', () => {
    expect(core).toContain('index.ts');
    expect(core.length).toBeGreaterThan(20);
  });

  test.each(core)('%s imports no node: module and uses no Node globals', (file) => {
    // Comments may show example imports (`import cl100k from 'js-tiktoken/...'`): scan code only.
    const text = readFileSync(join(src, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    for (const specifier of specifiers) {
      expect(specifier.startsWith('node:'), `${file} imports ${specifier}`).toBe(false);
      expect(builtins.includes(specifier), `${file} imports ${specifier}`).toBe(false);
      expect(
        specifier.startsWith('.') || specifier.startsWith('@strand/'),
        `${file} imports ${specifier}`,
      ).toBe(true);
    }
    expect(text).not.toMatch(/\b(?:process|Buffer|require|__dirname)\b[.(]/);
  });

  test('index.ts does not re-export node.ts', () => {
    expect(readFileSync(join(src, 'index.ts'), 'utf8')).not.toMatch(/['"]\.\/node\.js['"]/);
  });
});
