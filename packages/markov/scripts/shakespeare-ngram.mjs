// A 5-gram word model of tiny Shakespeare with every smoothing method: validation perplexity,
// training time and model size. Run: pnpm build && node scripts/shakespeare-ngram.mjs [order]
import { trainNgramLm } from '../dist/index.js';
import { shakespeare } from './corpus.mjs';

const order = Number(process.argv[2] ?? 5);
const { train, valid } = shakespeare();
const count = (s) => s.reduce((n, x) => n + x.length, 0);
console.log(
  `train: ${train.length} lines, ${count(train)} tokens; valid: ${valid.length} lines, ${count(valid)} tokens`,
);

const methods = [
  ['MLE', { kind: 'mle' }],
  ['add-one (Laplace)', { kind: 'add-k', k: 1 }],
  ['add-k, k = 0.01', { kind: 'add-k', k: 0.01 }],
  ['Witten-Bell', { kind: 'witten-bell' }],
  ['Kneser-Ney (interpolated)', { kind: 'kneser-ney' }],
  ['modified Kneser-Ney', { kind: 'modified-kneser-ney' }],
  ['stupid backoff (not normalised)', { kind: 'stupid-backoff' }],
];
console.log(`| smoothing (order ${order}) | validation perplexity | train s | eval s | n-grams | MB |`);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, smoothing] of methods) {
  const t0 = performance.now();
  const lm = trainNgramLm(train, { order, smoothing });
  const t1 = performance.now();
  const r = lm.evaluate(valid);
  const t2 = performance.now();
  const ngrams = lm.ngramCounts.reduce((a, b) => a + b, 0);
  console.log(
    `| ${name} | ${r.perplexity.toFixed(1)} | ${((t1 - t0) / 1000).toFixed(2)} | ${((t2 - t1) / 1000).toFixed(2)} | ${ngrams} | ${(lm.byteLength / 2 ** 20).toFixed(1)} |`,
  );
}
const lm = trainNgramLm(train, { order, smoothing: { kind: 'modified-kneser-ney' } });
const r = lm.evaluate(valid);
console.log(`OOV tokens in validation: ${r.oov} of ${r.events - valid.length}`);
for (const seed of [1, 2, 3]) {
  const words = lm.generate({ seed, prefix: ['I', 'will'], maxLength: 30 });
  console.log(`sample (seed ${seed}): I will ${words.join(' ')}`);
}
