// Benchmark of @strand/markov against its peers, side by side in one run:
// nltk (Debian python3-nltk) and pomegranate (python3-pomegranate) where installed.
//   pnpm build && node --expose-gc bench/run.mjs      (or: pnpm bench)
// Figures: Baum-Welch iterations per second (categorical HMM, 16 states, 64 symbols, 100,000
// steps), Viterbi steps per second, and Kneser-Ney order-5 training and perplexity on tiny
// Shakespeare words; memory as growth of resident set size and typed-array (ArrayBuffer) bytes.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Rng } from '@strand/base';
import {
  baumWelch,
  categoricalEmission,
  createHmm,
  sampleHmm,
  trainNgramLm,
  viterbi,
} from '../dist/index.js';
import { hasData, shakespeare } from '../scripts/corpus.mjs';

const PYTHON = '/usr/bin/python3';
const script = (name) => fileURLToPath(new URL(`./${name}`, import.meta.url));

function has(module) {
  return spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

function runPeer(name, job) {
  const out = spawnSync(PYTHON, [script(name)], {
    input: JSON.stringify(job),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (out.status !== 0) throw new Error(`${name} failed: ${out.stderr.slice(-500)}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)); // nltk prints progress lines first
}

function memory() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, buffers: m.arrayBuffers };
}
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
function growth(before, after) {
  return `RSS +${mb(after.rss - before.rss)}, JS heap +${mb(after.heap - before.heap)}`;
}

function randomHmm(S, K, seed) {
  const rng = new Rng(seed);
  const row = (n) => {
    const v = Array.from({ length: n }, () => 0.1 + rng.float());
    const s = v.reduce((a, b) => a + b, 0);
    return v.map((x) => x / s);
  };
  return createHmm({
    start: row(S),
    transitions: Array.from({ length: S }, () => row(S)),
    emission: categoricalEmission(Array.from({ length: S }, () => row(K))),
  });
}
const toRows = (flat, r, c) =>
  Array.from({ length: r }, (_, i) => Array.from(flat.subarray(i * c, (i + 1) * c)));

const rows = [];
const nltk = has('nltk');
const pomegranate = has('pomegranate');
const fmt = (x) => (x < 100 ? Number(x.toPrecision(3)).toString() : Math.round(x).toLocaleString('en-US'));
const cell = (v, unit) => (typeof v === 'number' ? `${fmt(v)} ${unit}` : v);
const ratio = (ours, peer) => (typeof peer === 'number' ? `${fmt(ours / peer)}x` : '-');
function row(what, ours, nltkValue, pomValue, unit) {
  rows.push([
    what,
    cell(ours, unit),
    cell(nltkValue, unit),
    cell(pomValue, unit),
    ratio(ours, nltkValue),
    ratio(ours, pomValue),
  ]);
}

console.log(
  `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${mb(totalmem())} RAM; Node ${process.version}`,
);
console.log(
  `peers: nltk ${nltk ? 'present' : 'absent'}, pomegranate ${pomegranate ? 'present' : 'absent'}\n`,
);

// ---- HMM: Baum-Welch and Viterbi, 16 states, 64 symbols, 100,000 steps ----
{
  const S = 16;
  const K = 64;
  const T = 100_000;
  const truth = randomHmm(S, K, 1);
  const start = randomHmm(S, K, 2);
  const { observations } = sampleHmm(truth, T, { seed: 3 });
  baumWelch(start, [observations.subarray(0, 5000)], { maxIterations: 2, tolerance: 0 }); // warm-up
  const m0 = memory();
  const iterations = 5;
  const t0 = performance.now();
  const bw = baumWelch(start, [observations], { maxIterations: iterations, tolerance: 0 });
  const bwSeconds = (performance.now() - t0) / 1000;
  const m1 = memory();
  const ours = iterations / bwSeconds;
  viterbi(truth, observations.subarray(0, 5000));
  const reps = 5;
  const t1 = performance.now();
  for (let i = 0; i < reps; i++) viterbi(bw.hmm, observations);
  const vSteps = (reps * T) / ((performance.now() - t1) / 1000);
  let nltkBw = 'absent';
  let nltkVit = 'absent';
  let pomBw = 'absent';
  let pomVit = 'absent';
  const notes = [];
  const model = {
    states: S,
    symbols: K,
    start: Array.from(start.start),
    transitions: toRows(start.transitions, S, S),
    emissions: toRows(start.emission.probs, S, K),
  };
  if (pomegranate) {
    const r = runPeer('peer_pomegranate.py', {
      ...model,
      sequence: Array.from(observations),
      iterations,
      viterbi_reps: 3,
    });
    pomBw = r.iterations / r.bw_s;
    pomVit = r.viterbi_steps / r.viterbi_s;
    notes.push(
      `pomegranate ${r.version}: ${r.iterations} Baum-Welch iterations on all ${r.steps} steps in ${r.bw_s.toFixed(1)} s (n_jobs=1); peak RSS +${r.peak_mb_growth.toFixed(0)} MB`,
    );
  }
  if (nltk) {
    const steps = 10_000;
    const r = runPeer('peer_nltk.py', {
      task: 'hmm',
      ...model,
      sequence: Array.from(observations.subarray(0, steps)),
      iterations: 1,
      viterbi_steps: steps,
    });
    // Baum-Welch time is linear in T: scale the 10,000-step iteration to 100,000 steps.
    nltkBw = r.iterations / (r.bw_s * (T / r.steps));
    nltkVit = r.viterbi_steps / r.viterbi_s;
    notes.push(
      `nltk ${r.version}: one Baum-Welch iteration on the first ${r.steps} steps took ${r.bw_s.toFixed(1)} s (scaled x${T / r.steps} to 100,000 steps); Viterbi on ${r.viterbi_steps} steps; peak RSS +${r.peak_mb_growth.toFixed(0)} MB`,
    );
  }
  row('Baum-Welch, 16 states x 64 symbols, 100,000 steps', ours, nltkBw, pomBw, 'iter/s');
  row('Viterbi, 16 states x 64 symbols', vSteps, nltkVit, pomVit, 'steps/s');
  console.log(
    `ours: ${iterations} Baum-Welch iterations in ${bwSeconds.toFixed(2)} s; memory ${growth(m0, m1)}`,
  );
  for (const note of notes) console.log(note);
}

// ---- n-grams: Kneser-Ney order 5 on tiny Shakespeare words ----
if (!hasData('tinyshakespeare', 'input.txt')) {
  console.log('tiny Shakespeare not found (set STRAND_DATA_DIR): n-gram benchmark skipped');
} else {
  const { train, valid } = shakespeare();
  const tokens = (s) => s.reduce((n, x) => n + x.length, 0);
  trainNgramLm(train.slice(0, 2000), { order: 5, smoothing: { kind: 'kneser-ney' } }); // warm-up
  for (const [name, smoothing] of [
    ['Kneser-Ney (interpolated)', { kind: 'kneser-ney' }],
    ['modified Kneser-Ney', { kind: 'modified-kneser-ney' }],
  ]) {
    const m0 = memory();
    const t0 = performance.now();
    const lm = trainNgramLm(train, { order: 5, smoothing });
    const trainS = (performance.now() - t0) / 1000;
    const m1 = memory();
    const t1 = performance.now();
    const ppl = lm.perplexity(valid);
    const evalS = (performance.now() - t1) / 1000;
    console.log(
      `${name}, order 5, full corpus: train ${tokens(train).toLocaleString()} tokens in ${trainS.toFixed(2)} s, ` +
        `validation perplexity ${ppl.toFixed(1)} over ${(tokens(valid) + valid.length).toLocaleString()} events in ${evalS.toFixed(2)} s; ` +
        `${lm.ngramCounts.reduce((a, b) => a + b, 0).toLocaleString()} n-grams in ${mb(lm.byteLength)} of typed arrays; ${growth(m0, m1)}`,
    );
  }
  // The same subset for both: 20,000 training tokens; nltk scores as many validation n-grams as fit in 10 s.
  const sub = [];
  let n = 0;
  for (const s of train) {
    if (n >= 20_000) break;
    sub.push(s);
    n += s.length;
  }
  const validSub = valid.slice(0, 400);
  const t0 = performance.now();
  const lm = trainNgramLm(sub, { order: 5, smoothing: { kind: 'kneser-ney' } });
  const trainRate = n / ((performance.now() - t0) / 1000);
  const t1 = performance.now();
  lm.perplexity(validSub);
  const scoreRate = (tokens(validSub) + validSub.length) / ((performance.now() - t1) / 1000);
  let nltkTrain = 'absent';
  let nltkScore = 'absent';
  if (nltk) {
    const r = runPeer('peer_nltk.py', { task: 'ngram', order: 5, train: sub, valid: validSub, budget_s: 10 });
    nltkTrain = r.train_tokens / r.fit_s;
    nltkScore = r.scored / r.score_s;
    console.log(
      `nltk ${r.version} KneserNeyInterpolated(5) on the same ${r.train_tokens} tokens: fit ${r.fit_s.toFixed(2)} s, ` +
        `scored ${r.scored} validation n-grams in ${r.score_s.toFixed(1)} s (budget 10 s); peak RSS +${r.peak_mb_growth.toFixed(0)} MB`,
    );
  }
  const pomNgram = pomegranate ? 'no n-gram LMs' : 'absent';
  row('Kneser-Ney order 5 training (20,000-token subset)', trainRate, nltkTrain, pomNgram, 'tokens/s');
  row('Kneser-Ney order 5 scoring (perplexity)', scoreRate, nltkScore, pomNgram, 'tokens/s');
}

console.log('\n| benchmark | @strand/markov | nltk | pomegranate | ours / nltk | ours / pomegranate |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
