// Per-kernel time of one Strand training step on wasm (the figures behind the README's analysis).
//   node bench/profile.mjs          (KIND=gru for the GRU; FOLD=1 for the folded input projection;
//                                    STRAND_WASM_THREADS sets the threads)
import { useBackend } from '@strand/backend';
import { MATMULS, timeKernels } from './kernel-timer.mjs';
import { FULL as cfg, strandTrainStep } from './strand-model.mjs';

await useBackend('wasm');
const step = strandTrainStep(process.env.KIND || 'lstm', cfg, { fold: process.env.FOLD === '1' });
for (let i = 0; i < 3; i++) await step();
const acc = new Map();
timeKernels(acc, (name, ins, attrs) =>
  MATMULS.has(name)
    ? `${name} ${ins.a.shape}x${ins.b.shape} ${attrs?.transposeA ? 'tA' : ''}${attrs?.transposeB ? 'tB' : ''}`
    : name,
);
const N = 5;
const t0 = performance.now();
for (let i = 0; i < N; i++) await step();
const total = (performance.now() - t0) / N;
let kern = 0;
const rows = [...acc].sort((a, b) => b[1].ms - a[1].ms);
for (const [, v] of rows) kern += v.ms / N;
console.log(
  `step ${total.toFixed(1)} ms; in kernels ${kern.toFixed(1)} ms; ${((2048 / total) * 1000).toFixed(0)} tok/s`,
);
for (const [k, v] of rows.slice(0, 25))
  console.log(`${(v.ms / N).toFixed(2).padStart(8)} ms ${String(v.n / N).padStart(5)}x ${k}`);
process.exit(0);
