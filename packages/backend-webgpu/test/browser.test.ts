import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from '@strand/backend';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from './serve.js';

// Headless Chromium (Debian's chromium package, driven by playwright-core) on a page that Vite builds
// from the built packages. WebGPU runs on SwiftShader there. STRAND_TEST_BROWSER=1 (set in CI) makes a
// missing browser a failure instead of a skip.
const here = dirname(fileURLToPath(import.meta.url));
const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const required = process.env['STRAND_TEST_BROWSER'] === '1';
const haveBrowser = existsSync(chromiumPath);
if (!haveBrowser && !required) console.warn(`[skip] browser tests: no Chromium at ${chromiumPath}`);

interface Report {
  fatal?: string;
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

describe.runIf(haveBrowser || required)('in headless Chromium (Vite build of the built packages)', () => {
  let report: Report;
  let outDir: string;

  beforeAll(async () => {
    expect(haveBrowser, `no Chromium at ${chromiumPath}; apt-get install chromium`).toBe(true);
    outDir = await mkdtemp(join(tmpdir(), 'strand-browser-'));
    await build({
      root: join(here, 'browser'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, target: 'es2022' },
    });
    // The wasm binaries ship in tfjs-backend-wasm; an app copies them to its static files the same way.
    const backendDir = dirname(createRequire(import.meta.url).resolve('@strand/backend/package.json'));
    const wasmDir = join(
      dirname(createRequire(join(backendDir, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm')),
      '.',
    );
    await mkdir(join(outDir, 'wasm'));
    for (const f of await readdir(wasmDir))
      if (f.endsWith('.wasm')) await copyFile(join(wasmDir, f), join(outDir, 'wasm', f));
    const server = await serveStatic(outDir);
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--use-webgpu-adapter=swiftshader',
        '--use-vulkan=swiftshader',
        '--enable-features=Vulkan',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      page.on(
        'console',
        (m) => m.type() === 'error' && !m.text().includes('404') && console.error(`[page] ${m.text()}`),
      );
      await page.goto(server.url);
      await page.waitForFunction(() => (window as { __strand?: unknown }).__strand !== undefined, undefined, {
        timeout: 240_000,
      });
      report = (await page.evaluate(() => (window as { __strand?: unknown }).__strand)) as Report;
    } finally {
      await browser.close();
      await server.close();
    }
  }, 300_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

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
    expect((report as { wasmBinaries?: string[] }).wasmBinaries).toContain(
      'tfjs-backend-wasm-threaded-simd.wasm',
    );
    console.info(`Chromium WASM: ${report.wasm!.info!.device} ${JSON.stringify(report.wasm!.info!.details)}`);
  });
});
