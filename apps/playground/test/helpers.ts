/** Building the app and driving it in headless Chromium (the shared harness's browser flags). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';

export const appDir = join(import.meta.dirname, '..');
export const screenshotDir = join(appDir, 'screenshots');

/** `vite build` of the app with its own config, into dist/ (what `pnpm --filter playground build` makes). */
export async function buildApp(): Promise<string> {
  const outDir = join(appDir, 'dist');
  await build({
    root: appDir,
    configFile: join(appDir, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** What the page publishes on window.__playground. */
export interface PageState {
  backend: string;
  device: string;
  software: boolean;
  ready: boolean;
  step: number;
  losses: number[];
  tokensPerSecond: number[];
  valLosses: number[];
  sample: string;
  busy: boolean;
  training: boolean;
  framesWhileTraining: number;
  translation: {
    origin: string;
    model: string;
    step: number;
    pairs: number;
    sourceVocab: number;
    targetVocab: number;
    losses: number[];
    translation?: string;
  } | null;
  translationLosses: number[];
  charts: Record<string, number>;
  baselines: { name: string; perplexity: number; seconds: number }[];
  errors: string[];
}

export function state(page: Page): Promise<PageState> {
  return page.evaluate(() =>
    JSON.parse(JSON.stringify((window as unknown as { __playground: unknown }).__playground)),
  );
}

export async function waitFor(page: Page, predicate: string, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    `(() => { const s = window.__playground; return !!s && (${predicate}); })()`,
    undefined,
    {
      timeout,
      polling: 200,
    },
  );
}

/** Sets the training form. */
export async function setForm(page: Page, values: Record<string, string>): Promise<void> {
  for (const [id, v] of Object.entries(values)) {
    if (id === 'kind') await page.selectOption('#kind', v);
    else await page.fill(`#${id}`, v);
  }
}

/** Saves a full-page screenshot and returns how many distinct colours it holds (a blank page has 1-2). */
export async function screenshot(page: Page, name: string): Promise<number> {
  await mkdir(screenshotDir, { recursive: true });
  const png = await page.screenshot({ fullPage: true });
  await writeFile(join(screenshotDir, `${name}.png`), png);
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4 * 7) colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return colours.size;
  }, png.toString('base64'));
}

/** Pixels drawn (alpha > 0) on each canvas under `selector`. */
export function inkedPixels(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (canvases) =>
    (canvases as HTMLCanvasElement[]).map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    }),
  );
}

export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
