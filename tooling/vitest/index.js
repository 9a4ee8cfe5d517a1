// Shared vitest settings: tests run on `src/` (the `@strand/source` export condition),
// one JSON report per package so `tooling/scripts/test-summary.mjs` can print the total.
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// WebGPU in Node without a GPU: Debian's chromium ships the SwiftShader Vulkan driver. Tests only.
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(swiftshader)) process.env.VK_ICD_FILENAMES = swiftshader;

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
