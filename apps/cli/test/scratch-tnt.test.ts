import { it } from 'vitest';
import { loadTagCorpus } from '../src/commands/tag/corpus.js';
import { scoreTags, trainingWords } from '../src/commands/tag/evaluate.js';
import { tagTnt, trainTnt } from '../src/commands/tag/tnt.js';
it('tnt', async () => {
  const c = await loadTagCorpus({ dataDir: '/work/shared/data' });
  const words = trainingWords(c.train);
  for (const o of [{maxSuffixLength: 3}, {maxSuffixLength: 5}, {maxSuffixLength: 4, rareThreshold: 25}]) {
  const tnt = trainTnt(c.train, o);
  const r = ['dev', 'test'].map((split) => { const x = scoreTags(c[split], c[split].map((s) => tagTnt(tnt, s.words)), words); return `${split} ${(100*x.accuracy).toFixed(2)} unseen ${(100*x.unseenAccuracy).toFixed(2)}`; });
  console.log('cap', JSON.stringify(o), r.join(' | '));
  }
}, 300000);
