// Training tokens/s of the playground's default LSTM (128 units, batch 16, 64 steps) in headless
// Chromium on WebGPU and on WASM, beside the same model trained by @strand/trainer in Node on wasm.
// Builds the app first when dist/ is missing. BENCH_STEPS (default 20) steps are timed after warm-up.
// In this GPU-less container WebGPU is SwiftShader (a CPU emulation): a correctness figure, not a speed one.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';

const app = join(import.meta.dirname, '..');
const dist = join(app, 'dist');
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const WARMUP = 3;
const CONFIG = { units: '128', layers: '1', batch: '16', length: '64', lr: '0.005' };
// tooling/browser-tests/harness.ts' flags, plus ANGLE on SwiftShader (keeps WebGPU's synchronous reads working).
const ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--use-vulkan=swiftshader',
  '--enable-features=Vulkan',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!existsSync(join(dist, 'index.html'))) {
  console.log('building the app…');
  await build({ root: app, configFile: join(app, 'vite.config.ts'), logLevel: 'warn' });
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};
const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\.\.+/g, '');
  const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ARGS,
});
try {
  for (const backend of ['webgpu', 'wasm']) {
    const page = await browser.newPage();
    await page.goto(`${url}?backend=${backend}`);
    await page.waitForFunction(() => window.__playground?.ready, undefined, { timeout: 120_000 });
    for (const [k, v] of Object.entries({ ...CONFIG, steps: String(WARMUP + STEPS) }))
      await page.fill(`#${k}`, v);
    await page.click('#train');
    await page.waitForFunction((n) => window.__playground.tokensPerSecond.length >= n, WARMUP + STEPS, {
      timeout: 600_000,
      polling: 500,
    });
    const s = await page.evaluate(() => window.__playground);
    const timed = s.tokensPerSecond.slice(WARMUP);
    rows.push({
      where: `Chromium, ${s.backend}`,
      device: s.device,
      tokensPerSecond: Math.round(median(timed)),
    });
    console.log(
      `${rows.at(-1).where}: ${rows.at(-1).tokensPerSecond} tokens/s (median of ${timed.length} steps)`,
    );
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

// The same model in Node on wasm, through the built packages.
const tf = await import('@tensorflow/tfjs-core');
const { useBackend } = await import('@strand/backend');
const { adam, languageModel, streamData, train } = await import('@strand/trainer');
const info = await useBackend('wasm');
const text = await readFile(
  join(
    process.env.STRAND_DATA_DIR ?? join(app, '..', '..', '..', 'shared', 'data'),
    'tinyshakespeare',
    'input.txt',
  ),
  'utf8',
).catch(() => 'To be, or not to be: that is the question.\n'.repeat(2000));
const chars = [...new Set(text)].sort();
const ids = Int32Array.from(text, (c) => 4 + chars.indexOf(c));
const lm = languageModel({ vocabSize: chars.length + 4, cell: 'lstm', units: 128, layers: 1, seed: 0 });
const times = [];
let last = performance.now();
await train({
  model: lm,
  data: streamData(ids, { batchSize: 16, chunkLength: 64 }),
  optimizer: adam({ lr: 0.005 }),
  clip: 1,
  steps: WARMUP + STEPS,
  callbacks: {
    onBatchEnd: (e) => {
      const now = performance.now();
      times.push((e.tokens * 1000) / (now - last));
      last = now;
    },
  },
});
rows.push({
  where: 'Node, wasm',
  device: info.device,
  tokensPerSecond: Math.round(median(times.slice(WARMUP))),
});
console.log(`Node, wasm: ${rows.at(-1).tokensPerSecond} tokens/s`);
tf.disposeVariables();
console.table(rows);
