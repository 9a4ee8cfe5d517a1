// Shared vitest settings: tests run on `src/` (the `@strand/source` export condition),
// one JSON report per package so `tooling/scripts/test-summary.mjs` can print the total.
import { defineConfig } from 'vitest/config';

/** @param {string} packageDir the package's own directory (import.meta.dirname) */
export function strandVitestConfig(packageDir, overrides = {}) {
  return defineConfig({
    resolve: { conditions: ['@strand/source'] },
    ssr: { resolve: { conditions: ['@strand/source'] } },
    test: {
      root: packageDir,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      reporters: ['default', ['json', { outputFile: `${packageDir}/.vitest-report.json` }]],
      ...overrides,
    },
  });
}
