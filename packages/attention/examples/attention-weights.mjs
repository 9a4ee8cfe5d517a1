// Trains a small Bahdanau seq2seq to reverse 8-letter words, then prints where each output letter
// looked. Imports the BUILT package: `pnpm build`, then `node examples/attention-weights.mjs`.
import { useBackend } from '@strand/backend';
import { namedParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { attentionTable, Seq2Seq } from '../dist/index.js';

await useBackend('cpu');
const letters = 'abcdefgh';
const BOS = 1;
const id = (ch) => letters.indexOf(ch) + 2; // 0 pad, 1 <bos>
const model = new Seq2Seq({
  kind: 'seq2seq',
  sourceVocabSize: 10,
  targetVocabSize: 10,
  embeddingDim: 16,
  units: 16,
  attention: 'bahdanau',
  seed: 0,
});
const vars = [...namedParameters(model.params).values()];
const optimizer = tf.train.adam(0.02);
let seed = 1;
const next = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; // LCG; its top 8 bits
  return seed >>> 24;
};
const word = () => Array.from({ length: 8 }, () => letters[next() % letters.length]).join('');
for (let step = 0; step < 300; step++) {
  const words = Array.from({ length: 32 }, word);
  const src = tf.tensor2d(
    words.map((w) => [...w].map(id)),
    [32, 8],
    'int32',
  );
  const out = words.map((w) => [...w].reverse().map(id));
  const tgtIn = tf.tensor2d(
    out.map((o) => [BOS, ...o.slice(0, 7)]),
    [32, 8],
    'int32',
  );
  const y = tf.oneHot(tf.tensor1d(out.flat(), 'int32'), 10);
  const loss = optimizer.minimize(
    () => {
      const { logits } = model.forward(src, tgtIn, { training: true, seed: step });
      return tf.losses.softmaxCrossEntropy(y, tf.reshape(logits, [-1, 10]));
    },
    true,
    vars,
  );
  if (step % 100 === 0 || step === 299) console.log(`step ${step}: loss ${loss.dataSync()[0].toFixed(3)}`);
  tf.dispose([src, tgtIn, y, loss]);
}
const w = 'hgabfdce';
const target = [...w].reverse();
const { attention } = model.forward(
  tf.tensor2d([[...w].map(id)], [1, 8], 'int32'),
  tf.tensor2d([[BOS, ...target.slice(0, 7).map(id)]], [1, 8], 'int32'),
  { training: false },
);
console.log(attentionTable((await attention.array())[0], { source: [...w], target }));
