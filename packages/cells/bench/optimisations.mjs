// The two training optimisations and the fast generation path, measured against their baselines in one
// process (interleaved, medians), with PyTorch's generation latency from the same run. Built packages.
//   node bench/optimisations.mjs     (STRAND_WASM_THREADS=1 for one thread; STEPS=5 for more steps;
//                                     ONLY=gen or ONLY=train for one half)
import os from 'node:os';
import { useBackend } from '@strand/backend';
import * as tf from '@tensorflow/tfjs-core';
import { setWeightGradLayout } from '../dist/fused/driver.js';
import { rnn, stepper } from '../dist/index.js';
import { torchPeer } from './peer.mjs';
import { FULL, strandModel, strandTrainStep } from './strand-model.mjs';

const cfg = { ...FULL, steps: Number(process.env.STEPS ?? 3), genTokens: 400 };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const info = await useBackend(process.env.BACKEND ?? 'wasm');
const threads = Number(info.details?.threads ?? 1);
console.log(
  `${info.device}; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`,
);
console.log(
  `B=${cfg.B} T=${cfg.T} E=${cfg.E} H=${cfg.H} V=${cfg.V}; ${cfg.steps} timed steps after ${cfg.warmup} warm-up, medians\n`,
);

/** A greedy token generator: 'rnn' = one-step rnn per token (the old way), 'stepper' = the fast path. */
function generator(kind, how) {
  const m = strandModel(kind, cfg);
  let token = 0;
  if (how === 'stepper') {
    const s = stepper(m.cell, { table: m.embedding });
    return async () => {
      const id = tf.tidy(() => tf.argMax(m.logits(s.step(token)), 1));
      token = (await id.data())[0];
      id.dispose();
    };
  }
  let state;
  return async () => {
    const out = tf.tidy(() => {
      const e = tf.reshape(tf.gather(m.embedding, tf.tensor1d([token], 'int32')), [1, 1, cfg.E]);
      const r = rnn(m.cell, e, { initialState: state, returnState: true });
      return { id: tf.argMax(m.logits(tf.reshape(r.outputs, [1, cfg.H])), 1), state: r.state };
    });
    if (state) tf.dispose(Object.values(state));
    state = out.state;
    token = (await out.id.data())[0];
    out.id.dispose();
  };
}

/** ms/token of both ways, interleaved in blocks of 10 tokens (a busy machine hits both alike); medians. */
async function generate(kind) {
  const gens = { rnn: generator(kind, 'rnn'), stepper: generator(kind, 'stepper') };
  const times = { rnn: [], stepper: [] };
  for (const g of Object.values(gens)) for (let i = 0; i < 20; i++) await g();
  for (let block = 0; block < cfg.genTokens / 10; block++) {
    for (const [name, g] of Object.entries(gens)) {
      const t0 = performance.now();
      for (let i = 0; i < 10; i++) await g();
      times[name].push((performance.now() - t0) / 10);
    }
  }
  return { old: median(times.rnn), fast: median(times.stepper) };
}

const only = process.env.ONLY ?? '';
const torch = torchPeer(cfg, threads);
const torch1 = threads > 1 ? torchPeer(cfg, 1) : null;
const variants = [
  { name: 'embed, [xᵀ;1;hᵀ]·dz (before)', fold: false, layout: 'aT' },
  { name: 'embed, dzᵀ·[x,1,h]', fold: false, layout: 'dzT' },
  { name: 'folded table, [xᵀ;1;hᵀ]·dz', fold: true, layout: 'aT' },
  { name: 'folded table, dzᵀ·[x,1,h]', fold: true, layout: 'dzT' },
];
for (const kind of ['lstm', 'gru']) {
  const pt = torch[kind];
  if (only !== 'gen') {
    const runs = variants.map((v) => ({ ...v, step: strandTrainStep(kind, cfg, { fold: v.fold }), ms: [] }));
    for (let i = 0; i < cfg.warmup + cfg.steps; i++) {
      for (const r of runs) {
        setWeightGradLayout(r.layout);
        const t0 = performance.now();
        await r.step();
        if (i >= cfg.warmup) r.ms.push(performance.now() - t0);
      }
    }
    setWeightGradLayout('aT');
    const base = median(runs[0].ms);
    console.log(`| ${kind.toUpperCase()} training | ms/step | tok/s | speed-up |`);
    console.log('| --- | ---: | ---: | ---: |');
    for (const r of runs) {
      const ms = median(r.ms);
      console.log(
        `| ${r.name} | ${ms.toFixed(1)} | ${Math.round((cfg.B * cfg.T * 1000) / ms)} | ${(base / ms).toFixed(2)}x |`,
      );
    }
    if (pt)
      console.log(
        `| PyTorch CPU ${torch.threads} thread(s) | ${median(pt.trainMs).toFixed(1)} | ${Math.round((cfg.B * cfg.T * 1000) / median(pt.trainMs))} | |`,
      );
    if (torch1?.[kind])
      console.log(
        `| PyTorch CPU 1 thread | ${median(torch1[kind].trainMs).toFixed(1)} | ${Math.round((cfg.B * cfg.T * 1000) / median(torch1[kind].trainMs))} | |`,
      );
  }
  if (only === 'train') continue;
  const { old, fast } = await generate(kind);
  console.log(
    `\n${kind.toUpperCase()} generation ms/token (B=1, greedy, head + argmax + read included): one-step rnn ${old.toFixed(3)}, stepper ${fast.toFixed(3)} (${(old / fast).toFixed(1)}x), PyTorch ${pt ? pt.genMsPerToken.toFixed(3) : 'n/a'}${torch1?.[kind] ? ` (1 thread ${torch1[kind].genMsPerToken.toFixed(3)})` : ''}\n`,
  );
}
console.log(
  `load average at end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`,
);
process.exit(0);
