import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, haveChromium, openInChromium, type PageReport } from './harness.js';
import { type BundleSizes, bundleSizes, copyAppSources, installTarballs, viteBuild } from './tarball-app.js';

// The "done when": a Vite app built from the PACKED tarballs, with no configuration (no vite
// config, no copied .wasm files, no wasmPaths), trains one step on wasm and on WebGPU in headless
// Chromium. A second page that uses WebGPU only must not fetch the wasm backend at all.
// STRAND_TEST_BROWSER=1 (CI) makes a missing browser fail.
const required = process.env['STRAND_TEST_BROWSER'] === '1';
if (!haveChromium && !required) console.warn(`[skip] tarball app test: no Chromium at ${chromiumPath}`);

interface Step {
  backend: string;
  device: string;
  lossBefore: number;
  lossAfter: number;
  tensorsLeaked: number;
  error?: string;
}
interface Training {
  fatal?: string;
  auto: { name: string; fallback: unknown };
  wasm: Step;
  webgpu: Step;
}
interface WebGpuOnly {
  fatal?: string;
  backend: string;
  grad: number[];
}

describe.runIf(haveChromium || required)(
  'a Vite app built from the packed tarballs, no configuration',
  () => {
    let app: string;
    let training: PageReport<Training>;
    let webgpuOnly: PageReport<WebGpuOnly>;
    let sizes: { training: BundleSizes; webgpuOnly: BundleSizes };
    const warnings: string[] = [];
    /** The emitted chunks that hold the wasm backend (its emscripten glue), per build. */
    const wasmChunks = { training: [] as string[], webgpuOnly: [] as string[] };

    beforeAll(async () => {
      expect(haveChromium, `no Chromium at ${chromiumPath}; apt-get install chromium`).toBe(true);
      app = await mkdtemp(join(tmpdir(), 'strand-vite-app-'));
      await installTarballs(
        app,
        ['@strand/backend', '@strand/backend-webgpu', '@strand/core'],
        ['@tensorflow/tfjs-core', 'vite'],
      );
      await copyAppSources(app);
      const trainingDist = viteBuild(app);
      const webgpuDist = viteBuild(app, 'webgpu-only');
      sizes = { training: await bundleSizes(trainingDist), webgpuOnly: await bundleSizes(webgpuDist) };
      for (const [key, dist] of [
        ['training', trainingDist],
        ['webgpuOnly', webgpuDist],
      ] as const) {
        for (const f of sizes[key].allJs) {
          if ((await readFile(join(dist, f), 'utf8')).includes('WasmBackendModule')) wasmChunks[key].push(f);
        }
      }
      console.info(`bundle sizes (bytes): ${JSON.stringify(sizes)}`);
      training = await openInChromium<Training>(trainingDist, {
        onConsole: (type, text) => {
          if (type === 'warning' || type === 'error') warnings.push(text);
        },
      });
      webgpuOnly = await openInChromium<WebGpuOnly>(webgpuDist);
      // Which of the fetched scripts hold the wasm backend (its emscripten glue).
      for (const [dist, report] of [
        [webgpuDist, webgpuOnly],
        [trainingDist, training],
      ] as const) {
        const wasmScripts: string[] = [];
        for (const s of report.scripts) {
          const code = await readFile(join(dist, 'assets', s), 'utf8').catch(() => '');
          if (code.includes('WasmBackendModule')) wasmScripts.push(s);
        }
        (report as { wasmScripts?: string[] }).wasmScripts = wasmScripts;
      }
    }, 240_000);

    afterAll(async () => {
      if (app) await rm(app, { recursive: true, force: true });
    });

    it('builds and loads', () => {
      expect(training.fatal).toBeUndefined();
      expect(webgpuOnly.fatal).toBeUndefined();
    });

    it.each(['wasm', 'webgpu'] as const)(
      'trains one SGD step on %s: the loss goes down, no tensor leaks',
      (name) => {
        const step = training[name];
        expect(step.error).toBeUndefined();
        expect(step.backend).toBe(name);
        expect(step.lossAfter).toBeLessThan(step.lossBefore);
        expect(step.lossBefore).toBeGreaterThan(0);
        expect(step.tensorsLeaked).toBe(0);
      },
    );

    it('wasm found its binaries through the bundler (the threaded SIMD build on this isolated page)', () => {
      expect(training.wasmBinaries).toHaveLength(1);
      expect(training.wasmBinaries[0]).toMatch(/^tfjs-backend-wasm-threaded-simd-[\w-]+\.wasm$/);
    });

    it("auto picks wasm (SwiftShader's WebGPU is software) without a fallback or a warning", () => {
      expect(training.auto).toEqual({ name: 'wasm', fallback: null });
      expect(warnings.filter((w) => /fell back|wasm/i.test(w))).toEqual([]);
      expect(training.failedRequests).toEqual([]);
      expect(webgpuOnly.failedRequests).toEqual([]);
    });

    it('a WebGPU-only app computes a gradient and never fetches the wasm backend', () => {
      expect(webgpuOnly.backend).toBe('webgpu');
      expect(webgpuOnly.grad).toEqual([2, 4, 6]);
      expect(webgpuOnly.wasmBinaries).toEqual([]);
      expect((webgpuOnly as { wasmScripts?: string[] }).wasmScripts).toEqual([]);
      // The wasm backend is in a lazy chunk, fetched only by the app that selects wasm.
      expect(wasmChunks.webgpuOnly).toHaveLength(1);
      expect(sizes.webgpuOnly.lazyChunks).toContain(wasmChunks.webgpuOnly[0]);
      expect((training as { wasmScripts?: string[] }).wasmScripts).toEqual([
        wasmChunks.training[0]!.slice('assets/'.length),
      ]);
    });
  },
);
