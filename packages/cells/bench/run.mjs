// `pnpm bench` for @strand/cells: training tokens/s (forward + backward + Adam) and single-sequence
// generation latency for a character-level LSTM/GRU language model, side by side in one process with
// @tensorflow/tfjs-layers on the same backend, and with PyTorch on the CPU (same thread count) when
// /usr/bin/python3 can import torch. Imports the BUILT packages: run `pnpm build` first.
//
//   node bench/run.mjs                      wasm (full size) and cpu (small size)
//   STRAND_BENCH_WEBGPU=1 node bench/run.mjs   adds webgpu where available
//   STRAND_BENCH_BACKENDS=wasm node bench/run.mjs
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeCpu, listBackends, registerProvider, useBackend } from '@strand/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { prepareVulkan } from '../../../tooling/bench-speed/vulkan.mjs';
import { rnn, stepper } from '../dist/index.js';
import { FULL, randomIds, strandModel, strandTrainStep } from './strand-model.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SMALL = { B: 8, T: 16, E: 32, H: 64, V: 65, warmup: 1, steps: 3, genTokens: 20 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tokS = (cfg, ms) => (cfg.B * cfg.T * 1000) / ms;

function tflTrainStep(kind, cfg) {
  const model = tfl.sequential();
  model.add(tfl.layers.embedding({ inputDim: cfg.V, outputDim: cfg.E, inputLength: cfg.T }));
  // glorotUniform: tfjs-layers' default orthogonal initializer needs tfjs' chained-op API, which a
  // tfjs-core-only install does not register; the initializer does not affect speed.
  model.add(
    tfl.layers[kind]({
      units: cfg.H,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
      recurrentInitializer: 'glorotUniform',
    }),
  );
  model.add(tfl.layers.dense({ units: cfg.V }));
  const opt = tf.train.adam(1e-3);
  const x = tf.tensor2d(randomIds(cfg, 1), [cfg.B, cfg.T], 'int32');
  const y = tf.oneHot(tf.tensor1d(randomIds(cfg, 2), 'int32'), cfg.V);
  const vars = model.trainableWeights.map((w) => w.read());
  const loss = () =>
    tf.losses.softmaxCrossEntropy(y, tf.reshape(model.apply(x, { training: true }), [-1, cfg.V]));
  return async () => {
    const l = opt.minimize(loss, true, vars);
    await l.data();
    l.dispose();
  };
}

async function timeSteps(steps, cfg) {
  for (let i = 0; i < cfg.warmup; i++) for (const s of steps) await s.run();
  const times = steps.map(() => []);
  for (let i = 0; i < cfg.steps; i++) {
    // interleaved, so a busy machine slows every contender alike
    for (const [k, s] of steps.entries()) {
      const t0 = performance.now();
      await s.run();
      times[k].push(performance.now() - t0);
    }
  }
  return times.map(median);
}

/** ms per generated token with the cells stepper (one matmul + one fused kernel per step). */
async function strandStepperGenerate(kind, cfg) {
  const m = strandModel(kind, cfg);
  const s = stepper(m.cell, { table: m.embedding });
  let token = 0;
  const next = async () => {
    const id = tf.tidy(() => tf.argMax(m.logits(s.step(token)), 1));
    token = (await id.data())[0];
    id.dispose();
  };
  for (let i = 0; i < 5; i++) await next();
  const t0 = performance.now();
  for (let i = 0; i < cfg.genTokens; i++) await next();
  s.dispose();
  return (performance.now() - t0) / cfg.genTokens;
}

/** Milliseconds per generated token, one sequence, greedy, a one-step `rnn` with the state carried. */
async function strandGenerate(kind, cfg) {
  const m = strandModel(kind, cfg);
  let state;
  let token = 0;
  const next = async () => {
    const out = tf.tidy(() => {
      const e = tf.reshape(tf.gather(m.embedding, tf.tensor1d([token], 'int32')), [1, 1, cfg.E]);
      const r = rnn(m.cell, e, { initialState: state, returnState: true });
      const id = tf.argMax(m.logits(tf.reshape(r.outputs, [1, cfg.H])), 1);
      return { id, state: r.state };
    });
    if (state) tf.dispose(Object.values(state));
    state = out.state;
    token = (await out.id.data())[0];
    out.id.dispose();
  };
  for (let i = 0; i < 5; i++) await next();
  const t0 = performance.now();
  for (let i = 0; i < cfg.genTokens; i++) await next();
  return (performance.now() - t0) / cfg.genTokens;
}

async function tflGenerate(kind, cfg) {
  const layer = tfl.layers[kind]({
    units: cfg.H,
    returnState: true,
    recurrentActivation: 'sigmoid',
    recurrentInitializer: 'glorotUniform',
  });
  const dense = tfl.layers.dense({ units: cfg.V });
  const embedding = tf.randomNormal([cfg.V, cfg.E]);
  let states;
  let token = 0;
  const next = async () => {
    const out = tf.tidy(() => {
      const e = tf.reshape(tf.gather(embedding, tf.tensor1d([token], 'int32')), [1, 1, cfg.E]);
      const [h, ...s] = layer.apply(e, states ? { initialState: states } : {});
      return { id: tf.argMax(dense.apply(h), 1), states: s };
    });
    if (states) tf.dispose(states);
    states = out.states;
    token = (await out.id.data())[0];
    out.id.dispose();
  };
  for (let i = 0; i < 5; i++) await next();
  const t0 = performance.now();
  for (let i = 0; i < cfg.genTokens; i++) await next();
  return (performance.now() - t0) / cfg.genTokens;
}

function torchPeer(cfg, threads) {
  try {
    const out = execFileSync(
      '/usr/bin/python3',
      [join(here, 'peer_torch.py'), JSON.stringify({ ...cfg, threads })],
      {
        encoding: 'utf8',
        timeout: 300_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    return { error: `PyTorch not run: ${String(e.message).split('\n')[0]}` };
  }
}

const fmt = (v, d = 0) =>
  v === undefined || Number.isNaN(v)
    ? 'n/a'
    : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function benchBackend(name, cfg) {
  const info = await useBackend(name);
  const threads = Number(info.details?.threads ?? 1);
  console.log(`\n### ${name}: ${info.device}`);
  if (info.software) console.log('(software adapter: CPU emulation of a GPU, not GPU figures)');
  if (name === 'wasm') {
    const wrapped = Boolean(tf.getKernel(tf.BatchMatMul, 'wasm')?.kernelFunc?.strandWrapped);
    console.log(
      `wasm BatchMatMul: ${wrapped ? "@strand/backend's transposed-operand kernel (speeds up tfjs-layers' backward pass)" : 'tfjs-backend-wasm stock kernel'}`,
    );
  }
  console.log(
    `B=${cfg.B}, T=${cfg.T}, E=${cfg.E}, H=${cfg.H}, vocabulary ${cfg.V}; ${cfg.steps} timed steps after ${cfg.warmup} warm-up (medians)\n`,
  );
  const torch = torchPeer(cfg, threads);
  if (torch.error) console.log(torch.error);
  // PyTorch's OpenMP threads can be slower than one thread on a small VM; show its 1-thread figure too.
  const torch1 = threads > 1 && !torch.error ? torchPeer(cfg, 1) : null;
  const rows = [];
  for (const kind of ['lstm', 'gru']) {
    const contenders = [
      { run: strandTrainStep(kind, cfg, { fold: true }) },
      { run: tflTrainStep(kind, cfg) },
      { run: strandTrainStep(kind, cfg) },
    ];
    const [strand, layers, strandUnfolded] = await timeSteps(contenders, cfg);
    const genStrand = await strandStepperGenerate(kind, cfg);
    const genRnn = await strandGenerate(kind, cfg);
    const genLayers = await tflGenerate(kind, cfg);
    const pt = torch[kind];
    rows.push({
      kind,
      strand: tokS(cfg, strand),
      unfolded: tokS(cfg, strandUnfolded),
      genRnn,
      layers: tokS(cfg, layers),
      torch: pt ? tokS(cfg, median(pt.trainMs)) : undefined,
      torch1: torch1?.[kind] ? tokS(cfg, median(torch1[kind].trainMs)) : undefined,
      genStrand,
      genLayers,
      genTorch: pt?.genMsPerToken,
    });
  }
  const one = torch1 !== null;
  console.log(
    `| model | train tok/s: Strand | Strand unfolded | tfjs-layers | PyTorch CPU |${one ? ' PyTorch 1 thread |' : ''} Strand / tfjs-layers | Strand / PyTorch |${one ? ' Strand / PyTorch 1 thread |' : ''} generate ms/token: Strand stepper | one-step rnn | tfjs-layers | PyTorch |`,
  );
  console.log(
    `| --- | ---: | ---: | ---: | ---: |${one ? ' ---: |' : ''} ---: | ---: |${one ? ' ---: |' : ''} ---: | ---: | ---: | ---: |`,
  );
  for (const r of rows) {
    console.log(
      `| ${r.kind.toUpperCase()} | ${fmt(r.strand)} | ${fmt(r.unfolded)} | ${fmt(r.layers)} | ${fmt(r.torch)} |${one ? ` ${fmt(r.torch1)} |` : ''} ` +
        `${fmt(r.strand / r.layers, 1)}x | ${fmt(r.strand / r.torch, 2)}x |${one ? ` ${fmt(r.strand / r.torch1, 2)}x |` : ''} ${fmt(r.genStrand, 2)} | ${fmt(r.genRnn, 2)} | ${fmt(r.genLayers, 2)} | ${fmt(r.genTorch, 2)} |`,
    );
  }
  console.log(
    '\nStrand trains with the folded input projection (foldInputProjection + inputsProjected); "unfolded" embeds then projects.',
  );
  if (!torch.error)
    console.log(
      `\nPyTorch ${torch.torch}, ${torch.threads} thread(s) (the JavaScript backend's thread count).`,
    );
}

const cpu = await describeCpu();
console.log('## @strand/cells benchmark');
console.log(
  `\n${cpu.model}, ${cpu.cores} logical cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; ` +
    `tfjs-core ${tf.version_core}; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`,
);
const wanted = (process.env.STRAND_BENCH_BACKENDS ?? 'wasm,cpu').split(',');
if (process.env.STRAND_BENCH_WEBGPU === '1') {
  try {
    // Dawn needs a Vulkan driver: the system's (the loader finds it), else SwiftShader as in the tests.
    const vulkan = prepareVulkan();
    console.log(`\nVulkan drivers: ${vulkan.source}`);
    const { webgpuProvider } = await import('@strand/backend-webgpu');
    registerProvider(webgpuProvider());
    const status = (await listBackends()).find((b) => b.name === 'webgpu');
    if (status?.available) wanted.push('webgpu');
    else console.log(`\nwebgpu skipped: ${status?.reason ?? 'not available'}`);
  } catch (e) {
    console.log(`\nwebgpu skipped: ${e.message}`);
  }
}
for (const name of wanted) await benchBackend(name, name === 'cpu' ? SMALL : FULL);
