import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from '@strand/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, haveChromium, runPageInChromium } from '../../../tooling/browser-tests/harness.js';

// Headless Chromium (Debian's chromium package, driven by playwright-core) on a page that Vite builds
// from the built packages. WebGPU runs on SwiftShader there. STRAND_TEST_BROWSER=1 (set in CI) makes a
// missing browser a failure instead of a skip.
const here = dirname(fileURLToPath(import.meta.url));
const required = process.env['STRAND_TEST_BROWSER'] === '1';
if (!haveChromium && !required) console.warn(`[skip] browser tests: no Chromium at ${chromiumPath}`);

interface Report {
  fatal?: string;
  wasmBinaries: string[];
  grad?: number[];
  crossOriginIsolated?: boolean;
  statuses?: { name: string; available: boolean; software?: boolean }[];
  webgpu?: { info?: { device: string; software: boolean }; results?: CaseResult[]; error?: string };
  wasm?: {
    info?: { device: string; details: Record<string, unknown> };
    results?: CaseResult[];
    error?: string;
  };
}

describe.runIf(haveChromium || required)('in headless Chromium (Vite build of the built packages)', () => {
  let report: Report;

  beforeAll(async () => {
    expect(haveChromium, `no Chromium at ${chromiumPath}; apt-get install chromium`).toBe(true);
    report = await runPageInChromium<Report>(join(here, 'browser'));
  }, 300_000);

  it('loads, and gradients are registered in a bundled build', () => {
    expect(report.fatal).toBeUndefined();
    expect(report.grad).toEqual([2, 4, 6]);
  });

  it('WebGPU passes the conformance suite against cpu', () => {
    expect(report.webgpu?.error).toBeUndefined();
    console.info(`Chromium WebGPU adapter: ${report.webgpu?.info?.device}`);
    const failed = report.webgpu!.results!.filter((r) => !r.ok);
    expect(failed).toEqual([]);
    expect(report.webgpu!.results!.length).toBeGreaterThan(10);
  });

  it('WASM passes the conformance suite against cpu, with SIMD and threads on an isolated page', () => {
    expect(report.wasm?.error).toBeUndefined();
    const failed = report.wasm!.results!.filter((r) => !r.ok);
    expect(failed).toEqual([]);
    expect(report.crossOriginIsolated).toBe(true);
    expect(report.wasm!.info!.details['simd']).toBe(true);
    expect(report.wasm!.info!.details['multithreadSupport']).toBe(true);
    // The multi-threaded SIMD build is the one fetched; XNNPACK decides how many threads it runs.
    expect(report.wasmBinaries).toContain('tfjs-backend-wasm-threaded-simd.wasm');
    console.info(`Chromium WASM: ${report.wasm!.info!.device} ${JSON.stringify(report.wasm!.info!.details)}`);
  });
});
