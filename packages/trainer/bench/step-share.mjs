// (c) Where the trainer's full step goes, for the cells benchmark model (char LSTM: batch 32, 64 steps,
// embedding 64, 256 units, vocabulary 65) on wasm: `train` with AdamW, clipping at 1 and a cosine schedule
// (forward, cross-entropy, backward, the norm and loss read, clipping, AdamW, the schedule, the loop).
// Every top-level kernel launch is timed; the matmuls (BatchMatMul, _FusedMatMul) are the floor a CPU
// backend cannot go under, so the figure is the share of the step that is NOT a matmul (kernels and JS
// between them). Target (issue #17): under 20%. `--profile` prints the kernels by time.
//   node bench/step-share.mjs [--backend wasm] [--rounds 5] [--steps 4] [--profile]
import { parseArgs } from 'node:util';
import { useBackend } from '@strand/backend';
import { adamw, cosineAnnealing, languageModel, streamData, train } from '@strand/trainer';
import { MATMULS, timeKernels } from '../../cells/bench/kernel-timer.mjs';

const { values } = parseArgs({
  strict: false,
  options: {
    backend: { type: 'string', default: 'wasm' },
    rounds: { type: 'string', default: '5' },
    steps: { type: 'string', default: '4' },
    profile: { type: 'boolean', default: false },
  },
});
const B = 32;
const T = 64;
const V = 65;

export async function stepShareBench() {
  await useBackend(values.backend);
  const rounds = Number(values.rounds);
  const perRound = Number(values.steps);
  const lm = languageModel({ vocabSize: V, units: 256, embeddingDim: 64, seed: 1 });
  const optimizer = adamw({ lr: 2e-3 });
  const scheduler = cosineAnnealing(optimizer, { tMax: 10_000 });
  let s = 1;
  const ids = Int32Array.from({ length: B * (T * 40 + 1) }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % V;
  });
  const data = streamData(ids, { batchSize: B, chunkLength: T });
  const acc = new Map();
  const stepMs = [];
  const shares = [];
  let restore = null;
  for (let r = 0; r < rounds + 1; r++) {
    // perRound + 1 steps per call; the first is not measured (the call's setup).
    let last = performance.now();
    let matmulBefore = 0;
    await train({
      model: lm,
      data,
      optimizer,
      scheduler,
      clip: 1,
      steps: perRound + 1,
      callbacks: {
        onBatchEnd: (e) => {
          const now = performance.now();
          let matmul = 0;
          for (const v of acc.values()) if (v.matmul) matmul += v.ms;
          if (r > 0 && e.step > 1) {
            const ms = now - last;
            stepMs.push(ms);
            shares.push(1 - (matmul - matmulBefore) / ms);
          }
          matmulBefore = matmul;
          last = now;
        },
      },
    });
    if (r === 0) {
      restore = timeKernels(acc, (name, ins) =>
        values.profile && MATMULS.has(name) ? `${name} ${ins.a.shape} x ${ins.b.shape}` : name,
      ); // round 0 warms up, untimed
      acc.clear();
    }
  }
  restore?.();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const share = median(shares);
  const ms = median(stepMs);
  console.log(
    `trainer step (${values.backend}, LSTM 256, batch ${B} x ${T}, AdamW + clip + cosine): ` +
      `${ms.toFixed(1)} ms/step, not matmul ${(share * 100).toFixed(1)}% of the step (target < 20%), ` +
      `median of ${shares.length} steps`,
  );
  if (values.profile) {
    // Totals over all measured rounds (including the unmeasured first step of each call), per step.
    const n = rounds * (perRound + 1);
    let kernels = 0;
    for (const v of acc.values()) kernels += v.ms;
    console.log(`  per step: ${(kernels / n).toFixed(1)} ms in kernels`);
    for (const [k, v] of [...acc].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30))
      console.log(`  ${(v.ms / n).toFixed(2).padStart(8)} ms ${(v.n / n).toFixed(1).padStart(7)}x ${k}`);
  }
  optimizer.dispose();
  return { ms, share };
}

if (import.meta.url === `file://${process.argv[1]}`) await stepShareBench();
