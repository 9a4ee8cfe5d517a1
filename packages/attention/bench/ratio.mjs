// Issue #17's transformer target as one interleaved run: forward + backward of the benchmark LM (4 layers,
// 4 heads, width 128, context 128, batch 16, vocabulary 65) on Strand and on PyTorch CPU at the same thread
// count, alternating a few steps of each so that a busy machine slows both alike. PyTorch runs as a
// persistent peer (`peer_torch.py --serve`). Prints the median of the per-round ratios
// (Strand ms / PyTorch ms; target <= 2) and, with --profile, Strand's kernels by time.
// Imports the BUILT package: run `pnpm build` first.
//   node bench/ratio.mjs [--rounds 5] [--steps 2] [--profile]      (STRAND_WASM_THREADS sets the threads)
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { useBackend } from '@strand/backend';
import * as tf from '@tensorflow/tfjs-core';
import { timeKernels, transposeFlags } from '../../cells/bench/kernel-timer.mjs';
import { LM, lmGradients } from './lm-step.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  strict: false,
  options: {
    rounds: { type: 'string', default: '5' },
    steps: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
  },
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The PyTorch peer: `steps(n)` resolves to n step times in ms; null when PyTorch is not importable. */
async function torchPeer(threads) {
  const child = spawn(
    '/usr/bin/python3',
    [join(here, 'peer_torch.py'), '--serve', JSON.stringify({ threads, lm: LM })],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.on('error', () => {});
  const first = await lines.next().catch(() => ({ done: true }));
  if (first.done) {
    child.kill();
    return { error: `PyTorch not run: ${stderr.trim().split('\n').pop() ?? 'no output'}` };
  }
  const info = JSON.parse(first.value);
  return {
    info,
    async steps(n) {
      child.stdin.write(`${n}\n`);
      const r = await lines.next();
      return JSON.parse(r.value);
    },
    close() {
      child.stdin.end('\n');
    },
  };
}

/** Strand's step: forward + backward (the gradients of the mean cross-entropy w.r.t. every parameter). */
function strandStep(TransformerLm) {
  const { grads } = lmGradients(TransformerLm, LM.B, LM.T);
  return async () => {
    const { value, grads: g } = grads();
    await value.data();
    tf.dispose([value, ...Object.values(g)]);
  };
}

export async function ratioBench({ TransformerLm } = {}) {
  const mod = TransformerLm
    ? { TransformerLm }
    : await import(pathToFileURL(join(here, '../dist/index.js')).href);
  const info = await useBackend(process.env.STRAND_BENCH_BACKEND ?? 'wasm');
  const threads = Number(info.details?.threads ?? 1);
  const torch = await torchPeer(threads);
  const step = strandStep(mod.TransformerLm);
  await step(); // warm-up
  const rounds = Number(values.rounds);
  const perRound = Number(values.steps);
  const ratios = [];
  const strandMs = [];
  const torchMs = [];
  for (let r = 0; r < rounds; r++) {
    const s = [];
    for (let i = 0; i < perRound; i++) {
      const t0 = performance.now();
      await step();
      s.push(performance.now() - t0);
    }
    strandMs.push(...s);
    if (!torch.error) {
      const p = await torch.steps(perRound);
      torchMs.push(...p);
      ratios.push(median(s) / median(p));
    }
  }
  torch.close?.();
  const tokens = LM.B * LM.T;
  const head = `transformer LM fwd+bwd (${LM.L} layers, width ${LM.D}, context ${LM.T}, batch ${LM.B}; ${info.name}, ${threads} thread(s))`;
  const sm = median(strandMs);
  if (torch.error) {
    console.log(`${head}: Strand ${sm.toFixed(0)} ms (${torch.error})`);
  } else {
    const ratio = median(ratios);
    console.log(
      `${head}: Strand ${sm.toFixed(0)} ms, PyTorch ${torch.info.torch} ${median(torchMs).toFixed(0)} ms ` +
        `(${((tokens * 1000) / sm).toFixed(0)} vs ${((tokens * 1000) / median(torchMs)).toFixed(0)} tokens/s); ` +
        `Strand/PyTorch time ${ratio.toFixed(2)}x (target <= 2x), median of ${rounds} interleaved rounds ` +
        `(per round ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
    );
  }
  if (values.profile) {
    const acc = new Map();
    const restore = timeKernels(
      acc,
      (name, ins, attrs) =>
        `${name} ${Object.values(ins)
          .filter((t) => t)
          .map((t) => `[${t.shape}]`)
          .join(' ')}${transposeFlags(attrs)}`,
    );
    const n = 2;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await step();
    const total = (performance.now() - t0) / n;
    restore();
    let mm = 0;
    let all = 0;
    for (const [k, v] of acc) {
      all += v.ms / n;
      if (k.startsWith('BatchMatMul') || k.startsWith('_FusedMatMul')) mm += v.ms / n;
    }
    console.log(
      `  profile: ${total.toFixed(0)} ms/step, ${all.toFixed(0)} ms in kernels, ${mm.toFixed(0)} ms in matmuls`,
    );
    for (const [k, v] of [...acc].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30))
      console.log(`  ${(v.ms / n).toFixed(1).padStart(8)} ms ${(v.n / n).toFixed(0).padStart(4)}x ${k}`);
  }
  return { ratio: ratios.length ? median(ratios) : Number.NaN };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ratioBench();
  process.exit(0);
}
