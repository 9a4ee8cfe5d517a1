import { useBackend } from '@strand/backend';
import { charVocabulary, splitText } from '@strand/data';
import { loadTinyShakespeare } from '@strand/data/node';
import { adamw, languageModel, streamData, streamLoss, train } from '@strand/trainer';
await useBackend('cpu');
const text = await loadTinyShakespeare();
const { train: tr, valid: va } = splitText(text, { validFraction: 0.1 });
const vocab = charVocabulary(text);
const trainIds = vocab.encode(tr);
const validIds = vocab.encode(va);
const lm = languageModel({ vocabSize: vocab.size, embeddingDim: 32, units: 96, dropout: 0.1, seed: 1 });
const optimizer = adamw({ lr: 3e-3 });
await train({ model: lm, optimizer, clip: 1, steps: 60, data: streamData(trainIds, { batchSize: 16, chunkLength: 64 }) });
const n = 2000;
const cases = {
  valid0: validIds.subarray(0, n),
  valid0copy: Int32Array.from(validIds.subarray(0, n)),
  validReencoded: vocab.encode(va.slice(0, n)),
  trainMid: trainIds.subarray(50_000, 50_000 + n),
  trainEnd: trainIds.subarray(trainIds.length - n),
  trainStart: trainIds.subarray(0, n),
};
for (const [k, ids] of Object.entries(cases)) {
  const s1 = streamLoss(lm, ids, { batchSize: 1, chunkLength: 250 }).loss;
  const s4 = streamLoss(lm, ids, { batchSize: 4, chunkLength: 250 }).loss;
  const ppl = Math.log(lm.perplexity([ids]));
  console.log(`${k}: B=1 ${s1.toFixed(3)}, B=4 ${s4.toFixed(3)}, perplexity() ${ppl.toFixed(3)}, offset ${ids.byteOffset}`);
}
