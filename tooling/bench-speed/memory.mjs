// Peak memory of one training step against sequence length, Strand (wasm) beside PyTorch (CPU, same
// thread count), each model and length in a fresh process. Built packages (`pnpm build` first).
//   node memory.mjs                       LSTM (B=32, E=64, H=256) and transformer (B=4, d=128, 4 layers)
//   STRAND_BENCH_SMOKE=1 node memory.mjs  tiny sizes
//   MEMORY_LENGTHS=32,64 node memory.mjs
// Columns: peak tensor MiB (tf.profile's peakBytes: every tensor alive at once during the step, on the
// backend), RSS growth (process peak RSS over three steps minus RSS before the first; includes the wasm
// heap's growth and, for the first step, compiled code) and the step time.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const smoke = process.env.STRAND_BENCH_SMOKE === '1';
const lengths = (process.env.MEMORY_LENGTHS ?? (smoke ? '8,16' : '32,64,128,256')).split(',').map(Number);
const threads = Number(process.env.STRAND_WASM_THREADS ?? Math.min(os.availableParallelism(), 2));
const MODELS = smoke
  ? [
      { model: 'lstm', B: 4, E: 8, H: 16 },
      { model: 'transformer', B: 2, D: 16, heads: 2, L: 1 },
    ]
  : [
      { model: 'lstm', B: 32, E: 64, H: 256 },
      { model: 'lstm', B: 32, E: 64, H: 256, fold: true },
      { model: 'transformer', B: 4, D: 128, heads: 4, L: 4 },
    ];

function run(cmd, args) {
  try {
    const out = execFileSync(cmd, args, {
      encoding: 'utf8',
      timeout: 600_000,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STRAND_WASM_THREADS: String(threads) },
    });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    return {
      error: String(e.stderr || e.message)
        .trim()
        .split('\n')
        .pop(),
    };
  }
}

const f = (v, d = 1) => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(d));
console.log(
  `## Peak memory per training step vs sequence length (wasm, ${threads} thread(s); PyTorch CPU, same threads)`,
);
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}\n`,
);
console.log(
  '| model | T | Strand peak tensor MiB | Strand RSS growth MiB | Strand ms | PyTorch RSS growth MiB | PyTorch ms |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const m of MODELS) {
  for (const T of lengths) {
    const cfg = { ...m, T, backend: 'wasm' };
    const s = run(process.execPath, [join(here, 'memory-worker.mjs'), JSON.stringify(cfg)]);
    const p = m.fold
      ? null
      : run('/usr/bin/python3', [join(here, 'peer_torch_memory.py'), JSON.stringify({ ...cfg, threads })]);
    const name = `${m.model}${m.fold ? ' (folded table)' : ''}`;
    if (s.error) console.log(`| ${name} | ${T} | error: ${s.error} | | | | |`);
    else
      console.log(
        `| ${name} | ${T} | ${f(s.peakTensorMiB)} | ${f(s.peakRssMiB - s.rssBeforeMiB)} | ${f(s.ms, 0)} | ${p === null ? '' : p.error ? `n/a (${p.error})` : f(p.peakRssMiB - p.rssBeforeMiB)} | ${p === null || p.error ? '' : f(p.ms, 0)} |`,
      );
  }
}
process.exit(0);
