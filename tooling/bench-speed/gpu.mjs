// pnpm bench:gpu — LSTM, GRU and transformer training, and recurrent generation, on the GPU backends:
// WebGPU in Node (Dawn, from the `webgpu` package; the Vulkan loader finds the vendor's ICD) and CUDA
// through @tensorflow/tfjs-node-gpu when it is installed; PyTorch on CUDA beside them when importable.
// Prints one table: tokens/s, ms/step, peak tensor memory; generation ms/token. Imports the BUILT packages
// (`pnpm build` first). On a machine without a GPU it says so in one line and exits 0.
//
//   pnpm bench:gpu
//   STRAND_BENCH_SMOKE=1 pnpm bench:gpu          tiny sizes (checks the script)
//   STRAND_BENCH_GPU_SOFTWARE=1 pnpm bench:gpu   also run on a software adapter (SwiftShader), labelled
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gpuPresent, prepareVulkan } from './vulkan.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const software = process.env.STRAND_BENCH_GPU_SOFTWARE === '1';
if (!gpuPresent() && !software) {
  console.log(
    'bench:gpu: no GPU on this machine (no /dev/nvidia*, /dev/kfd, /dev/dri render node or hardware Vulkan driver); nothing to run.',
  );
  process.exit(0);
}

const vk = prepareVulkan();
const { listBackends, registerProvider, useBackend, describeCpu } = await import('@strand/backend');
const { webgpuProvider } = await import('@strand/backend-webgpu');
const { cudaProvider } = await import('@strand/backend-node');
const tf = await import('@tensorflow/tfjs-core');
const { measure, recurrentGenerate, strandTrainStep, transformerTrainStep } = await import('./models.mjs');

const smoke = process.env.STRAND_BENCH_SMOKE === '1';
const RNN = smoke
  ? { B: 4, T: 8, E: 16, H: 32, V: 65, warmup: 1, steps: 1 }
  : { B: 64, T: 128, E: 64, H: 512, V: 65, warmup: 2, steps: 5 };
const LM = smoke
  ? { B: 2, T: 16, V: 65, D: 32, heads: 4, L: 1 }
  : { B: 32, T: 256, V: 65, D: 256, heads: 8, L: 4 };
const GEN = smoke ? { ...RNN, H: 32 } : { ...RNN, H: 256 };

console.log('## @strand GPU benchmark');
console.log(
  `CPU: ${(await describeCpu()).model}; Vulkan: loader ${vk.loader ?? 'not found'}, drivers: ${vk.source}${vk.icds.length ? ` (${vk.icds.join(', ')})` : ''}`,
);
console.log(
  `RNN: B=${RNN.B} T=${RNN.T} E=${RNN.E} H=${RNN.H}; transformer: B=${LM.B} T=${LM.T} d=${LM.D} heads=${LM.heads} layers=${LM.L}; generation H=${GEN.H}, B=1\n`,
);

registerProvider(webgpuProvider());
registerProvider(cudaProvider());
const status = await listBackends();
const rows = [];
const mib = (b) => (Number.isFinite(b) ? (b / 2 ** 20).toFixed(1) : 'n/a');

for (const name of ['webgpu', 'cuda']) {
  const s = status.find((b) => b.name === name);
  if (!s?.available) {
    console.log(`${name}: not available (${s?.reason ?? 'unknown'})`);
    continue;
  }
  if (s.software && !software) {
    console.log(
      `${name}: only a software adapter (${s.device}); skipped (STRAND_BENCH_GPU_SOFTWARE=1 runs it)`,
    );
    continue;
  }
  const info = await useBackend(name);
  console.log(
    `${name}: adapter ${info.device}${info.software ? ' — SOFTWARE: CPU emulation, not a GPU' : ''}`,
  );
  const gpuBytes = () => {
    const m = tf.memory();
    return m.numBytesInGPUAllocated ?? m.numBytesInGPU ?? Number.NaN;
  };
  for (const kind of ['lstm', 'gru']) {
    for (const fold of [false, true]) {
      const r = await measure(strandTrainStep(kind, RNN, { fold }), RNN);
      rows.push({
        backend: name,
        model: `${kind.toUpperCase()}${fold ? ' (folded table)' : ''}`,
        tokS: (RNN.B * RNN.T * 1000) / r.ms,
        ms: r.ms,
        peak: r.peakBytes,
        gpu: gpuBytes(),
      });
    }
    const gen = await recurrentGenerate(kind, GEN, smoke ? 5 : 100);
    rows.push({ backend: name, model: `${kind.toUpperCase()} generation`, genMs: gen });
  }
  try {
    const r = await measure(transformerTrainStep(LM), { warmup: 1, steps: smoke ? 1 : 3 });
    rows.push({
      backend: name,
      model: 'transformer LM',
      tokS: (LM.B * LM.T * 1000) / r.ms,
      ms: r.ms,
      peak: r.peakBytes,
      gpu: gpuBytes(),
    });
  } catch (e) {
    console.log(`${name}: transformer skipped (${e.message})`);
  }
}

// PyTorch on CUDA, same shapes, when torch and a CUDA device are there.
try {
  const out = execFileSync(
    '/usr/bin/python3',
    [join(here, 'peer_torch_gpu.py'), JSON.stringify({ RNN, LM, GEN, smoke })],
    {
      encoding: 'utf8',
      timeout: 600_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const peer = JSON.parse(out.trim().split('\n').pop());
  if (peer.error) console.log(`PyTorch CUDA: ${peer.error}`);
  else {
    console.log(`PyTorch ${peer.torch} on ${peer.device}`);
    for (const r of peer.rows) rows.push({ backend: 'PyTorch CUDA', ...r });
  }
} catch (e) {
  console.log(
    `PyTorch CUDA not run: ${String(e.stderr || e.message)
      .trim()
      .split('\n')
      .pop()}`,
  );
}

console.log(
  '\n| backend | model | tokens/s | ms/step | peak tensor MiB | GPU MiB after | generate ms/token |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const f = (v, d) => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(d));
  console.log(
    `| ${r.backend} | ${r.model} | ${f(r.tokS, 0)} | ${f(r.ms, 1)} | ${r.peak === undefined ? '' : mib(r.peak)} | ${r.gpu === undefined ? '' : mib(r.gpu)} | ${f(r.genMs, 3)} |`,
  );
}
process.exit(0);
