// Per-kernel time of one Strand training step on wasm (the figures behind the README's analysis).
//   node bench/profile.mjs          (KIND=gru for the GRU; STRAND_WASM_THREADS sets the threads)
import { useBackend } from '@strand/backend';
import {
  createParameter,
  deriveSeed,
  initializers,
  initLinear,
  linear,
  trainableParameters,
} from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { gru, lstm, rnn } from '../dist/index.js';

const cfg = { B: 32, T: 64, E: 64, H: 256, V: 65 };
await useBackend('wasm');
const kind = process.env.KIND || 'lstm';
const cell = (kind === 'lstm' ? lstm : gru)({ inputSize: cfg.E, units: cfg.H, seed: 1 });
const embedding = createParameter(
  initializers.normal({ stddev: 0.1 }),
  [cfg.V, cfg.E],
  deriveSeed(1, 'embedding'),
);
const out = initLinear({ inputSize: cfg.H, outputSize: cfg.V, seed: 2 });
const vars = trainableParameters({ embedding, cell: cell.params, out });
const opt = tf.train.adam(1e-3);
const ids = Array.from({ length: cfg.B * cfg.T }, (_, i) => (i * 7919) % cfg.V);
const x = tf.tensor1d(ids, 'int32');
const y = tf.oneHot(
  tf.tensor1d(
    ids.map((v) => (v + 1) % cfg.V),
    'int32',
  ),
  cfg.V,
);
const loss = () => {
  const e = tf.reshape(tf.gather(embedding, x), [cfg.B, cfg.T, cfg.E]);
  const { outputs } = rnn(cell, e);
  return tf.losses.softmaxCrossEntropy(y, linear(out, tf.reshape(outputs, [cfg.B * cfg.T, cfg.H])));
};
const step = async () => {
  const l = opt.minimize(loss, true, vars);
  await l.data();
  l.dispose();
};
for (let i = 0; i < 3; i++) await step();
const eng = tf.engine();
const orig = eng.runKernel.bind(eng);
const acc = new Map();
let depth = 0;
eng.runKernel = (name, ins, attrs) => {
  if (depth > 0) return orig(name, ins, attrs);
  depth++;
  const t0 = performance.now();
  try {
    return orig(name, ins, attrs);
  } finally {
    depth--;
    const k =
      name === 'BatchMatMul' || name === '_FusedMatMul'
        ? `${name} ${ins.a.shape}x${ins.b.shape} ${attrs?.transposeA ? 'tA' : ''}${attrs?.transposeB ? 'tB' : ''}`
        : name;
    const a = acc.get(k) ?? { n: 0, ms: 0 };
    a.n++;
    a.ms += performance.now() - t0;
    acc.set(k, a);
  }
};
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
