// The weight-gradient product of one LSTM training step in its two layouts, interleaved, many repeats:
// [xᵀ; 1; hᵀ] · dz against (dzᵀ · [x, 1, h])ᵀ, with the JS passes that build the operands included.
//   node bench/weight-grads.mjs     (STRAND_WASM_THREADS=1 for one thread; REPEATS=30)
import os from 'node:os';
import { useBackend } from '@strand/backend';
import * as tf from '@tensorflow/tfjs-core';
import { setWeightGradLayout, weightGrads } from '../dist/fused/driver.js';

const info = await useBackend(process.env.BACKEND ?? 'wasm');
const [B, T, F, H, G] = [32, 64, 64, 256, 1024]; // G = 4H
const repeats = Number(process.env.REPEATS ?? 30);
const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 1);
const hs = Array.from({ length: T }, (_, t) => tf.randomNormal([B, H], 0, 1, 'float32', 2 + t));
const dz = tf.randomNormal([B * T, G], 0, 1, 'float32', 99);
const run = (layout, withX) => {
  setWeightGradLayout(layout);
  const t0 = performance.now();
  const g = weightGrads(withX ? x : null, withX, hs, dz);
  const out = [g.dx, g.db, g.ds].filter(Boolean);
  out.at(-1).dataSync();
  const ms = performance.now() - t0;
  tf.dispose(out);
  return ms;
};
console.log(
  `${info.device}; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`,
);
for (const withX of [true, false]) {
  const times = { aT: [], dzT: [] };
  for (let i = 0; i < 3; i++) for (const l of ['aT', 'dzT']) run(l, withX);
  for (let i = 0; i < repeats; i++) for (const l of ['aT', 'dzT']) times[l].push(run(l, withX));
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const K = (withX ? F + 1 : 0) + H;
  const gflop = (2 * K * B * T * G) / 1e9;
  console.log(
    `K=${K} (${withX ? 'x, 1, h: embed-then-project' : 'h only: folded table'}): ` +
      `[xᵀ;1;hᵀ]·dz ${med(times.aT).toFixed(1)} ms (${((gflop / med(times.aT)) * 1000).toFixed(1)} GFLOP/s), ` +
      `dzᵀ·[x,1,h] ${med(times.dzT).toFixed(1)} ms (${((gflop / med(times.dzT)) * 1000).toFixed(1)} GFLOP/s); ` +
      `ratio ${(med(times.aT) / med(times.dzT)).toFixed(2)}x, median of ${repeats}`,
  );
}
process.exit(0);
