import { readFile } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath, haveChromium } from '../../../tooling/browser-tests/harness.js';
import { serveStatic } from '../../../tooling/browser-tests/serve.js';
import { buildApp, inkedPixels, mean, screenshot, setForm, state, waitFor } from './helpers.js';

// The BUILT playground served from 127.0.0.1, driven in Debian's headless Chromium with WebGPU on
// SwiftShader. STRAND_TEST_BROWSER=1 (CI) makes a missing browser fail instead of skipping.
const required = process.env['STRAND_TEST_BROWSER'] === '1';
if (!haveChromium && !required) console.warn(`[skip] playground test: no Chromium at ${chromiumPath}`);

// Small models so that a busy 2-core machine runs the whole file in well under three minutes.
const SMALL = { units: '32', layers: '1', batch: '8', length: '32', lr: '0.02', seed: '0' };

describe.runIf(haveChromium || required)('the playground, built, in headless Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: { url: string; close(): Promise<void> };
  const consoleErrors: string[] = [];
  let downloaded = '';
  let savedSample = '';

  beforeAll(async () => {
    expect(haveChromium, `no Chromium at ${chromiumPath}; apt-get install chromium`).toBe(true);
    const dist = await buildApp();
    server = await serveStatic(dist);
    // ANGLE on SwiftShader as well: with the harness' flags alone, tfjs-webgpu's synchronous read
    // (dataSync, which the trainer's clipping and evaluation use) loses the WebGPU device.
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [...CHROMIUM_ARGS, '--enable-unsafe-swiftshader', '--use-angle=swiftshader'],
    });
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(query: string): Promise<void> {
    await page.goto(`${server.url}${query}`);
    await waitFor(page, 's.ready', 60_000);
  }

  /** Trains an LSTM (or the given kind) for `steps` steps with the Train button. */
  async function trainSteps(steps: number, extra: Record<string, string> = {}): Promise<void> {
    await setForm(page, { ...SMALL, steps: String(steps), ...extra });
    await page.evaluate(() => {
      (window as unknown as { __playground: { sample: string } }).__playground.sample = '';
    });
    await page.click('#train'); // a new model (the form changed), so the steps count from 0
    await waitFor(
      page,
      `s.step >= ${steps} && !s.busy && document.querySelector('#train').disabled === false && s.sample.length > 0`,
    );
  }

  /** Clicks Sample with `seed` and returns the text once it is complete. */
  async function sampleWithSeed(seed: number): Promise<string> {
    await page.fill('#sample-seed', String(seed));
    await page.evaluate(() => {
      (window as unknown as { __playground: { sample: string } }).__playground.sample = '';
    });
    await page.click('#sample');
    await waitFor(page, `!s.busy && s.sample.length > 0`);
    return (await state(page)).sample;
  }

  it('shows the webgpu backend when asked, trains, the loss falls and a sample appears', async () => {
    await open('?backend=webgpu');
    const s0 = await state(page);
    expect(s0.backend).toBe('webgpu');
    expect(await page.textContent('#backend')).toBe('webgpu');
    expect(await page.textContent('#device')).toMatch(/software/); // SwiftShader
    await setForm(page, { ...SMALL, length: '16', steps: '1000' });
    await page.fill('#sample-length', '40'); // sampling on SwiftShader is slow
    await page.click('#train');
    await waitFor(page, 's.step >= 12');
    await page.click('#stop'); // stop mid-run
    await waitFor(page, `!document.querySelector('#train').disabled && s.sample.length > 0`);
    const s = await state(page);
    expect(s.errors).toEqual([]);
    expect(s.step).toBeGreaterThanOrEqual(12);
    expect(s.step).toBeLessThan(1000);
    expect(mean(s.losses.slice(-3))).toBeLessThan(mean(s.losses.slice(0, 3)) - 0.2);
    expect(s.valLosses.length).toBeGreaterThan(0);
    expect(s.sample.length).toBeGreaterThanOrEqual(40);
    expect(await page.textContent('#sample-out')).toBe(s.sample);
    expect(s.charts['loss']).toBeGreaterThan(12);
    expect((await inkedPixels(page, '#loss-chart'))[0]).toBeGreaterThan(2000);
    expect(await screenshot(page, 'webgpu-trained')).toBeGreaterThan(20);
  });

  it('switches to wasm with the selector, trains and resumes', async () => {
    await page.selectOption('#backend-select', 'wasm');
    await page.waitForURL(/backend=wasm/);
    await waitFor(page, 's.ready', 60_000);
    expect((await state(page)).backend).toBe('wasm');
    await page.fill('#sample-length', '200');
    await trainSteps(15);
    const first = await state(page);
    expect(mean(first.losses.slice(-3))).toBeLessThan(mean(first.losses.slice(0, 3)) - 0.2);
    expect(first.sample.length).toBeGreaterThan(50);
    expect(await page.textContent('#train')).toBe('Resume');
    await setForm(page, { steps: '5' });
    await page.click('#train');
    await waitFor(page, `s.step >= 20 && !document.querySelector('#train').disabled`);
    expect((await state(page)).step).toBe(20);
    expect(await screenshot(page, 'wasm-trained')).toBeGreaterThan(20);
  });

  it('saves in the browser and as a file; a reload and an upload give the same sample for the same seed', async () => {
    await page.click('#save');
    await page.waitForFunction(() =>
      /saved at step 20/.test(document.querySelector('#save-status')!.textContent ?? ''),
    );
    savedSample = await sampleWithSeed(7);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toMatch(/^strand-lstm-step20\.safetensors$/);
    downloaded = (await download.path())!;

    await page.reload();
    await waitFor(page, 's.ready', 60_000);
    expect(await page.textContent('#save-status')).toMatch(/loaded .* \(step 20\)/);
    expect(await sampleWithSeed(7)).toBe(savedSample);

    await page.click('#forget');
    await page.reload();
    await waitFor(page, 's.ready', 60_000);
    await page.setInputFiles('#upload', {
      name: 'model.safetensors',
      mimeType: 'application/octet-stream',
      buffer: await readFile(downloaded),
    });
    await page.waitForFunction(() =>
      /loaded model\.safetensors/.test(document.querySelector('#save-status')!.textContent ?? ''),
    );
    expect(await sampleWithSeed(7)).toBe(savedSample);
  });

  it.each([
    ['hidden', 'hidden'],
    ['gates', 'gates'],
    ['gradients', 'gradients'],
    ['translation', 'translation'],
  ])('the %s view draws a non-empty chart', async (view, chart) => {
    if (view === 'translation') await page.fill('#translation-steps', '40');
    await page.click(`button[data-view="${view}"]`);
    await waitFor(page, `!s.busy && (s.charts['${chart}'] ?? 0) > 0`);
    const s = await state(page);
    expect(s.errors).toEqual([]);
    const inked = await inkedPixels(page, '#inside-charts canvas');
    expect(inked.length).toBeGreaterThan(0);
    expect(Math.min(...inked)).toBeGreaterThan(2000);
    expect(await screenshot(page, `view-${view}`)).toBeGreaterThan(20);
  });

  it("trains a transformer and draws its heads' attention", async () => {
    await trainSteps(6, { kind: 'transformer', units: '16', length: '24', lr: '0.01' });
    await page.click('button[data-view="heads"]');
    await waitFor(page, `!s.busy && (s.charts['heads'] ?? 0) > 0`);
    const inked = await inkedPixels(page, '#inside-charts canvas');
    expect(inked).toHaveLength(4); // 1 layer x 4 heads
    expect(Math.min(...inked)).toBeGreaterThan(500);
    expect(await screenshot(page, 'view-heads')).toBeGreaterThan(20);
  });

  it('trains the n-gram and HMM baselines in a worker, beside the neural model', async () => {
    await page.click('#baselines');
    await waitFor(page, 's.baselines.length >= 2', 120_000);
    const s = await state(page);
    const [ngram, hmm] = s.baselines;
    expect(ngram!.name).toMatch(/5-gram/);
    expect(ngram!.perplexity).toBeGreaterThan(1.5);
    expect(ngram!.perplexity).toBeLessThan(15);
    expect(hmm!.perplexity).toBeGreaterThan(ngram!.perplexity);
    expect(hmm!.perplexity).toBeLessThan(70);
    expect(await page.locator('#baseline-table tbody tr').count()).toBe(3);
    expect(await screenshot(page, 'baselines')).toBeGreaterThan(20);
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
