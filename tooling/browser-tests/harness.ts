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
export const CHROMIUM_ARGS = [
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
): Promise<PageReport<T>> {
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
    return await openInChromium<T>(outDir, { timeoutMs });
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** What a page leaves on `window.__strand`, plus the file names of the scripts and binaries it fetched. */
export type PageReport<T> = T & { wasmBinaries: string[]; scripts: string[]; failedRequests: string[] };

/**
 * Serves the built page in `outDir` on 127.0.0.1 with cross-origin isolation, opens it in headless
 * Chromium, waits for `window.__strand` and returns it with the `.wasm` and `.js` files the page fetched.
 * `onConsole` sees every console message (the default prints errors other than 404s).
 */
export async function openInChromium<T>(
  outDir: string,
  {
    timeoutMs = 240_000,
    onConsole,
  }: { timeoutMs?: number; onConsole?: (type: string, text: string) => void } = {},
): Promise<PageReport<T>> {
  const server = await serveStatic(outDir);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const failedRequests: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico'))
        failedRequests.push(`${r.status()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => failedRequests.push(`failed ${r.url()}`));
    page.on('console', (m) => {
      if (onConsole) onConsole(m.type(), m.text());
      else if (m.type() === 'error' && !m.text().includes('404')) console.error(`[page] ${m.text()}`);
    });
    await page.goto(server.url);
    await page.waitForFunction(() => (window as { __strand?: unknown }).__strand !== undefined, undefined, {
      timeout: timeoutMs,
    });
    const report = await page.evaluate(() => {
      const names = performance.getEntriesByType('resource').map((e) => e.name.split('/').at(-1) ?? '');
      const wasmBinaries = names.filter((n) => n.endsWith('.wasm'));
      const scripts = [
        ...names.filter((n) => n.endsWith('.js')),
        ...Array.from(document.scripts, (s) => s.src.split('/').at(-1) ?? '').filter((n) => n !== ''),
      ];
      return {
        ...((window as { __strand?: object }).__strand ?? {}),
        wasmBinaries,
        scripts: [...new Set(scripts)],
      };
    });
    return { ...report, failedRequests } as PageReport<T>;
  } finally {
    await browser.close();
    await server.close();
  }
}
