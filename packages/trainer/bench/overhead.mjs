// (a) The training loop's overhead over a bare training step, for the cells benchmark model
// (char LSTM: batch 32, 64 steps, embedding 64, 256 units, vocabulary 65) on wasm.
// Bare step: forward + backward (tf.variableGrads with the explicit variable list) + Adam + one loss
// read, nothing else. Loop step: the same model and optimizer through `train` (batching from
// lmStreams, state carried and detached, NaN/Inf guard with the gradient norm, events, the log).
// Rounds alternate between the two so a busy machine slows both alike; medians are reported.
import { parseArgs } from 'node:util';
import { useBackend } from '@strand/backend';
import { namedParameters } from '@strand/core';
import { adam, languageModel, streamData, tokenCrossEntropy, train } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';

const { values } = parseArgs({
  strict: false,
  options: {
    backend: { type: 'string', default: 'wasm' },
    rounds: { type: 'string', default: '5' },
    steps: { type: 'string', default: '6' },
  },
});
const B = 32;
const T = 64;
const V = 65;
const rounds = Number(values.rounds);
const perRound = Number(values.steps);

export async function overheadBench() {
  await useBackend(values.backend);
  const lm = languageModel({ vocabSize: V, units: 256, embeddingDim: 64, seed: 1 });
  const optimizer = adam({ lr: 1e-3 });
  let s = 1;
  const ids = Int32Array.from({ length: B * (T * 40 + 1) }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % V;
  });
  const data = streamData(ids, { batchSize: B, chunkLength: T });
  const vars = [...namedParameters(lm.params).values()];
  const paths = [...namedParameters(lm.params).keys()];
  const params = namedParameters(lm.params);
  const chunk = data.batch(0, 0);
  const x = tf.tensor2d(chunk.inputs, [B, T], 'int32');
  const y = tf.tensor2d(chunk.targets, [B, T], 'int32');
  const bare = async () => {
    const state = lm.initialState(B);
    const { value, grads } = tf.variableGrads(
      () => tokenCrossEntropy(lm.forward(x, state, { training: true, seed: 1 }).logits, y, undefined),
      vars,
    );
    const byPath = new Map(vars.map((v, i) => [paths[i], grads[v.name]]));
    optimizer.apply(params, byPath);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
    lm.disposeState(state);
  };
  const bareTimes = [];
  const loopTimes = [];
  for (let r = 0; r < rounds + 1; r++) {
    for (let i = 0; i < perRound; i++) {
      const t0 = performance.now();
      await bare();
      if (r > 0) bareTimes.push(performance.now() - t0);
    }
    // perRound + 1 steps; the first of each call is not timed (it includes the call's setup and the
    // one-time read-back check of the targets), so this is the steady-state cost of a step.
    let last = performance.now();
    await train({
      model: lm,
      data,
      optimizer,
      steps: perRound + 1,
      callbacks: {
        onBatchEnd: (e) => {
          const now = performance.now();
          if (r > 0 && e.step > 1) loopTimes.push(now - last);
          last = now;
        },
      },
    });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const b = median(bareTimes);
  const l = median(loopTimes);
  console.log(
    `loop overhead (${values.backend}, LSTM 256, batch ${B} x ${T}): bare step ${b.toFixed(1)} ms, ` +
      `loop step ${l.toFixed(1)} ms, overhead ${(((l - b) / b) * 100).toFixed(1)}% (target <= 5%), ` +
      `${bareTimes.length} steps each`,
  );
  tf.dispose([x, y]);
  optimizer.dispose();
  return { bare: b, loop: l };
}

if (import.meta.url === `file://${process.argv[1]}`) await overheadBench();
