// `pnpm bench` for @strand/attention. Imports the BUILT package: run `pnpm build` first.
//
//   1. forward + backward tokens/s of the 4-layer, 4-head, width-128 decoder-only LM at context 128,
//      batch 16, beside PyTorch on the CPU with the same thread count (bench/peer_torch.py, same run);
//   2. peak tensor memory and step time as the context grows 64 -> 512 (batch 4);
//   3. sentences/s of a GRU encoder / Bahdanau-attention GRU decoder, width 256, length 10, batch 32.
//
// Then issue #17's ratio from an interleaved run (bench/ratio.mjs): Strand and PyTorch alternate steps.
//
// tfjs-layers 4.22 has no public attention layer (its MultiHeadAttention sits unexported under
// layers/nlp), so there is no tfjs-layers column. The machine is shared: steps are few; medians.
//   STRAND_BENCH_BACKEND=cpu node bench/run.mjs      (default: wasm)
//   STRAND_BENCH_SMOKE=1 node bench/run.mjs          (tiny sizes, to check the script)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeCpu, useBackend } from '@strand/backend';
import { namedParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { Seq2Seq, TransformerLm } from '../dist/index.js';
import { LM, lmGradients, randomIds } from './lm-step.mjs';
import { ratioBench } from './ratio.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const smoke = process.env.STRAND_BENCH_SMOKE === '1';
const SWEEP = smoke ? [8, 16] : [64, 128, 256, 512];
const SWEEP_B = smoke ? 2 : 4;
const S2S = smoke ? { B: 4, T: 5, V: 50, U: 16 } : { B: 32, T: 10, V: 1000, U: 256 };
const WARMUP = 1;
const STEPS = smoke ? 1 : 3;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (v, d = 0) =>
  v === undefined || Number.isNaN(v)
    ? 'n/a'
    : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function timed(step, warmup, steps) {
  for (let i = 0; i < warmup; i++) await step();
  const ms = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Forward + backward (gradients of the mean cross-entropy w.r.t. every parameter) of the LM. */
function lmStep(B, T) {
  const { grads, dispose } = lmGradients(TransformerLm, B, T);
  return {
    async run() {
      const { value, grads: g } = grads();
      await value.data();
      tf.dispose([value, ...Object.values(g)]);
    },
    async peakBytes() {
      const info = await tf.profile(() => {
        const { value, grads: g } = grads();
        tf.dispose([value, ...Object.values(g)]);
        return [];
      });
      return info.peakBytes;
    },
    dispose,
  };
}

function s2sStep() {
  const c = S2S;
  const model = new Seq2Seq({
    kind: 'seq2seq',
    sourceVocabSize: c.V,
    targetVocabSize: c.V,
    embeddingDim: c.U,
    units: c.U,
    cell: 'gru',
    attention: 'bahdanau',
  });
  const vars = [...namedParameters(model.params).values()];
  const src = tf.tensor2d(randomIds(c.B * c.T, c.V, 3), [c.B, c.T], 'int32');
  const tgt = tf.tensor2d(randomIds(c.B * c.T, c.V, 4), [c.B, c.T], 'int32');
  const y = tf.oneHot(tf.reshape(tgt, [-1]), c.V);
  return async () => {
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = model.forward(src, tgt, { training: true, seed: 0 });
      return tf.losses.softmaxCrossEntropy(y, tf.reshape(logits, [c.B * c.T, c.V]));
    }, vars);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
}

function torchPeer(threads) {
  const cfg = { threads, lm: LM, sweep: SWEEP, sweepB: SWEEP_B, s2s: S2S, warmup: WARMUP, steps: STEPS };
  try {
    const out = execFileSync('/usr/bin/python3', [join(here, 'peer_torch.py'), JSON.stringify(cfg)], {
      encoding: 'utf8',
      timeout: 600_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    return { error: `PyTorch not run: ${String(e.message).split('\n')[0]}` };
  }
}

const backend = process.env.STRAND_BENCH_BACKEND ?? 'wasm';
const info = await useBackend(backend);
const threads = Number(info.details?.threads ?? 1);
const cpu = await describeCpu();
console.log('## @strand/attention benchmark\n');
console.log(
  `${cpu.model}, ${cpu.cores} logical cores; Node ${process.version}; tfjs-core ${tf.version_core}; backend ${backend} (${info.device}), ${threads} thread(s); ` +
    `load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}${smoke ? '; SMOKE sizes' : ''}`,
);
const torch = torchPeer(threads);
if (torch.error) console.log(`\n${torch.error}`);

const main = lmStep(LM.B, LM.T);
const lmMs = await timed(() => main.run(), WARMUP, STEPS);
main.dispose();
const tokens = LM.B * LM.T;
console.log(
  `\n### Decoder-only LM: ${LM.L} layers, ${LM.H} heads, width ${LM.D}, context ${LM.T}, batch ${LM.B}, vocabulary ${LM.V}`,
);
console.log('forward + backward, median of', STEPS, 'steps after', WARMUP, 'warm-up\n');
console.log('| | step ms | tokens/s |\n| --- | ---: | ---: |');
console.log(`| Strand (${backend}) | ${fmt(lmMs)} | ${fmt((tokens * 1000) / lmMs)} |`);
if (!torch.error)
  console.log(
    `| PyTorch ${torch.torch} CPU, ${torch.threads} thread(s) | ${fmt(torch.lmMs)} | ${fmt((tokens * 1000) / torch.lmMs)} |`,
  );

console.log(`\n### Context sweep (batch ${SWEEP_B}): step time and peak tensor memory\n`);
console.log(
  '| context | Strand step ms | Strand peak MiB | PyTorch step ms |\n| ---: | ---: | ---: | ---: |',
);
for (const T of SWEEP) {
  const s = lmStep(SWEEP_B, T);
  const ms = await timed(() => s.run(), 1, 1);
  const peak = await s.peakBytes();
  s.dispose();
  console.log(`| ${T} | ${fmt(ms)} | ${fmt(peak / 2 ** 20, 1)} | ${fmt(torch.sweepMs?.[String(T)])} |`);
}

const s2s = s2sStep();
const s2sMs = await timed(s2s, WARMUP, STEPS);
console.log(
  `\n### Seq2seq: GRU encoder, Bahdanau-attention GRU decoder, width ${S2S.U}, length ${S2S.T}, batch ${S2S.B}, vocabulary ${S2S.V}\n`,
);
console.log('| | step ms | sentences/s |\n| --- | ---: | ---: |');
console.log(`| Strand (${backend}) | ${fmt(s2sMs)} | ${fmt((S2S.B * 1000) / s2sMs, 1)} |`);
if (!torch.error)
  console.log(`| PyTorch CPU | ${fmt(torch.s2sMs)} | ${fmt((S2S.B * 1000) / torch.s2sMs, 1)} |`);

console.log('\n### Strand / PyTorch, interleaved (issue #17: forward + backward within 2x of PyTorch)\n');
await ratioBench({ TransformerLm });
