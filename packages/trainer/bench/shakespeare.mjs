// (b) Tiny Shakespeare, characters, first 90% train / last 10% validation: the README example's
// configuration (a char LSTM trained with @strand/trainer on wasm) against the order-5 modified
// Kneser-Ney character model of @strand/markov on the same split, in nats per character, side by side.
//
//   node bench/shakespeare.mjs                 the README configuration, at most 10 minutes
//   node bench/shakespeare.mjs --minutes 3     a shorter budget (the schedule still spans --steps)
import { parseArgs } from 'node:util';
import { useBackend } from '@strand/backend';
import { charVocabulary, splitText } from '@strand/data';
import { loadTinyShakespeare } from '@strand/data/node';
import { trainNgramLm } from '@strand/markov';
import {
  adamw,
  cosineAnnealing,
  languageModel,
  linearWarmup,
  lmEvaluator,
  sample,
  streamData,
  streamLoss,
} from '@strand/trainer';
import { train } from '@strand/trainer/node';

const { values } = parseArgs({
  strict: false,
  options: {
    backend: { type: 'string', default: 'wasm' },
    minutes: { type: 'string', default: '10' },
    steps: { type: 'string', default: '3600' },
    units: { type: 'string', default: '256' },
    layers: { type: 'string', default: '1' },
    batch: { type: 'string', default: '16' },
    bptt: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.003' },
    'eval-every': { type: 'string', default: '400' },
    log: { type: 'string' },
  },
});

export async function shakespeareBench() {
  await useBackend(values.backend);
  const text = await loadTinyShakespeare();
  const { train: trainText, valid: validText } = splitText(text, { validFraction: 0.1 });
  const vocab = charVocabulary(text);
  const trainIds = vocab.encode(trainText);
  const validIds = vocab.encode(validText);

  // The n-gram: each part one long sentence of characters (newlines included, so contexts cross
  // lines as the LSTM's do); 65 symbols leave the unigram count-of-counts degenerate, hence KenLM's
  // --discount_fallback. Its nats/char counts the one end-of-sentence event too (1 in 111,541).
  const t0 = performance.now();
  const ngram = trainNgramLm([[...trainText]], {
    order: 5,
    smoothing: { kind: 'modified-kneser-ney', discountFallback: [0.5, 1, 1.5] },
  });
  const ngramNats = Math.log(ngram.perplexity([[...validText]]));
  console.log(
    `5-gram modified Kneser-Ney: ${ngramNats.toFixed(3)} nats/char (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );

  // The README example's configuration.
  const steps = Number(values.steps);
  const lm = languageModel({
    vocabSize: vocab.size,
    embeddingDim: 64,
    units: Number(values.units),
    layers: Number(values.layers),
    seed: 1,
  });
  const optimizer = adamw({ lr: Number(values.lr) });
  const scheduler = linearWarmup(optimizer, {
    warmupSteps: 30,
    startFactor: 0.1,
    after: (o) => cosineAnnealing(o, { tMax: steps - 30, etaMin: Number(values.lr) / 10 }),
  });
  const curve = [];
  const t1 = performance.now();
  const result = await train({
    model: lm,
    optimizer,
    scheduler,
    clip: 1,
    data: streamData(trainIds, {
      batchSize: Number(values.batch),
      chunkLength: Number(values.bptt),
      resetProbability: 0.05,
    }),
    steps,
    minutes: Number(values.minutes),
    evalEvery: Number(values['eval-every']),
    evaluate: lmEvaluator(validIds.subarray(0, 20_000), { batchSize: 16, chunkLength: 256 }),
    callbacks: {
      onEvalEnd: (e) => {
        curve.push({ step: e.step, seconds: (performance.now() - t1) / 1000, valLoss: e.metrics.valLoss });
      },
    },
    ...(values.log ? { log: values.log } : {}),
    progress: { every: 30 },
  });
  const seconds = (performance.now() - t1) / 1000;
  const lstmNats = streamLoss(lm, validIds, { batchSize: 16, chunkLength: 256 }).loss;
  console.log('learning curve (validation subset of 20,000 chars):');
  for (const p of curve)
    console.log(`  step ${p.step} at ${p.seconds.toFixed(0)} s: ${p.valLoss.toFixed(3)} nats/char`);
  console.log(
    `validation nats/char: LSTM ${lstmNats.toFixed(3)} after ${result.step} steps in ${(seconds / 60).toFixed(1)} min ` +
      `(stopped by ${result.stoppedBy}) | 5-gram modified Kneser-Ney ${ngramNats.toFixed(3)}`,
  );
  console.log(
    vocab
      .decode(sample(lm, vocab.encode('ROMEO:\n'), { maxTokens: 300, temperature: 0.8, seed: 1 }))
      .join(''),
  );
  optimizer.dispose();
  return { lstmNats, ngramNats, steps: result.step, seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) await shakespeareBench();
