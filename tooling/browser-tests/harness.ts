import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { serveStatic } from './serve.js';

/** Debian's chromium by default; CHROMIUM_PATH overrides. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const haveChromium = existsSync(chromiumPath);

// Software WebGPU (SwiftShader) in headless Chromium, without the background traffic a closed network refuses.
const CHROMIUM_ARGS = [
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
];

/**
 * Builds the page in `pageDir` with Vite (from the BUILT packages, as an app would), copies the wasm
 * binaries beside it under /wasm/, serves it on 127.0.0.1 with cross-origin isolation, opens it in
 * headless Chromium and returns what the page leaves on `window.__strand`.
 */
export async function runPageInChromium<T>(
  pageDir: string,
  { timeoutMs = 240_000 } = {},
): Promise<T & { wasmBinaries: string[] }> {
  const outDir = await mkdtemp(join(tmpdir(), 'strand-page-'));
  try {
    await build({ root: pageDir, logLevel: 'error', build: { outDir, emptyOutDir: true, target: 'es2022' } });
    const backendDir = dirname(
      createRequire(join(pageDir, 'index.html')).resolve('@strand/backend/package.json'),
    );
    const wasmDir = dirname(
      createRequire(join(backendDir, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm'),
    );
    await mkdir(join(outDir, 'wasm'));
    for (const f of await readdir(wasmDir))
      if (f.endsWith('.wasm')) await copyFile(join(wasmDir, f), join(outDir, 'wasm', f));
    const server = await serveStatic(outDir);
    const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      page.on(
        'console',
        (m) => m.type() === 'error' && !m.text().includes('404') && console.error(`[page] ${m.text()}`),
      );
      await page.goto(server.url);
      await page.waitForFunction(() => (window as { __strand?: unknown }).__strand !== undefined, undefined, {
        timeout: timeoutMs,
      });
      return (await page.evaluate(() => {
        const wasmBinaries = performance
          .getEntriesByType('resource')
          .map((e) => e.name.split('/').at(-1) ?? '')
          .filter((n) => n.endsWith('.wasm'));
        return { ...((window as { __strand?: object }).__strand ?? {}), wasmBinaries };
      })) as T & { wasmBinaries: string[] };
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
