// pnpm bench: matMul GFLOP/s per available backend at the shapes of one LSTM training step
// (B=32, E=64, H=256: [x, h] is [32, 320], the fused gate kernel [320, 1024]; T=64 steps batched is 2048 rows),
// forward and backward, beside PyTorch on the CPU measured in the same run.
import { fileURLToPath } from 'node:url';
import { listBackends, registerProvider, useBackend } from '@strand/backend';
import { cudaProvider, nativeCpuProvider } from '@strand/backend-node';
import { webgpuProvider } from '@strand/backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { prepareVulkan } from '../bench-speed/vulkan.mjs';
import { describeMachine, runPython } from './machine.mjs';

const shapes = [
  { name: 'step fwd  [32,320]x[320,1024]', a: [32, 320], b: [320, 1024] },
  { name: 'step dX   [32,1024]x[320,1024]^T', a: [32, 1024], b: [320, 1024], transposeB: true },
  { name: 'step dW   [32,320]^Tx[32,1024]', a: [32, 320], b: [32, 1024], transposeA: true },
  { name: 'seq fwd   [2048,320]x[320,1024]', a: [2048, 320], b: [320, 1024] },
  { name: 'seq dX    [2048,1024]x[320,1024]^T', a: [2048, 1024], b: [320, 1024], transposeB: true },
  { name: 'seq dW    [2048,320]^Tx[2048,1024]', a: [2048, 320], b: [2048, 1024], transposeA: true },
];
const flops = (s) => {
  const m = s.transposeA ? s.a[1] : s.a[0];
  const k = s.transposeA ? s.a[0] : s.a[1];
  const n = s.transposeB ? s.b[0] : s.b[1];
  return 2 * m * k * n;
};

async function timeMatMul(s, budgetMs) {
  const a = tf.randomNormal(s.a, 0, 1, 'float32', 1);
  const b = tf.randomNormal(s.b, 0, 1, 'float32', 2);
  const run = async (k) => {
    const outs = [];
    for (let i = 0; i < k; i++) outs.push(tf.matMul(a, b, s.transposeA, s.transposeB));
    await outs.at(-1).data(); // in-order queues: the last result means all are done
    tf.dispose(outs);
  };
  await run(2); // warm-up: shader compilation, wasm code caching
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < budgetMs || n < 2) {
    await run(2);
    n += 2;
  }
  const ms = (performance.now() - t0) / n;
  tf.dispose([a, b]);
  return ms;
}

// Dawn needs a Vulkan driver: the system's (found by the loader), else SwiftShader as in the tests.
const vulkan = prepareVulkan();
registerProvider(webgpuProvider());
registerProvider(cudaProvider());
registerProvider(nativeCpuProvider());
const statuses = await listBackends();
console.log(`\nmatMul GFLOP/s at the shapes of one LSTM training step (B=32, E=64, H=256, T=64)`);
console.log(`machine: ${describeMachine()}`);
console.log(`Vulkan drivers: ${vulkan.source}; (sw) = software adapter (CPU emulation)`);
for (const s of statuses) {
  console.log(
    `  ${s.name.padEnd(10)} ${s.available ? `available: ${s.device}` : `unavailable: ${s.reason}`}`,
  );
}

const columns = [];
for (const st of statuses.filter((x) => x.available)) {
  const info = await useBackend(st.name);
  const budget = st.name === 'cpu' ? 600 : 400;
  const gflops = [];
  for (const s of shapes) gflops.push(flops(s) / (await timeMatMul(s, budget)) / 1e6);
  const threads = Number(info.details.threads ?? 0) || null;
  columns.push({ label: `${st.name}${info.software ? ' (sw)' : ''}`, gflops, threads, device: info.device });
}

const peers = [];
for (const threads of [1, (await import('node:os')).availableParallelism()]) {
  if (peers.some((p) => p.threads === threads)) continue;
  const out = runPython(fileURLToPath(new URL('./peer_torch_matmul.py', import.meta.url)), [
    String(threads),
    JSON.stringify(shapes),
  ]);
  if (typeof out === 'string') {
    const r = JSON.parse(out.trim().split('\n').at(-1));
    peers.push({
      label: `torch ${r.torch} ${r.threads}t`,
      threads: r.threads,
      gflops: r.results.map((x, i) => flops(shapes[i]) / x.ms / 1e6),
    });
  } else {
    console.log(`  PyTorch peer absent: ${out.error}`);
    break;
  }
}

const all = [...columns, ...peers];
const header = `| shape | ${all.map((c) => c.label).join(' | ')} |${columns.length && peers.length ? ' wasm / torch 1t |' : ''}`;
console.log(`\n${header}\n|${'---|'.repeat(header.split('|').length - 2)}`);
const wasm = columns.find((c) => c.label === 'wasm');
const torch1 = peers.find((p) => p.threads === 1);
shapes.forEach((s, i) => {
  const cells = all.map((c) => c.gflops[i].toFixed(1));
  const ratio = wasm && torch1 ? ` ${(wasm.gflops[i] / torch1.gflops[i]).toFixed(2)}x |` : '';
  console.log(`| ${s.name} | ${cells.join(' | ')} |${ratio}`);
});
for (const c of columns) console.log(`  ${c.label}: ${c.device}`);
process.exit(0); // Dawn and the wasm runtime can keep handles open
