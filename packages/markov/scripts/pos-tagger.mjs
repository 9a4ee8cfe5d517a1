// An HMM part-of-speech tagger on UD English-EWT: train on dev, test on test (the train split is
// not in the shared data). Run: pnpm build && node scripts/pos-tagger.mjs
import { evaluateTagger, taggedSentences, tagSentence, trainPosTagger } from '../dist/index.js';
import { readConlluFile } from '../dist/node.js';
import { dataPath } from './corpus.mjs';

const dev = taggedSentences(await readConlluFile(dataPath('ud-english-ewt', 'en_ewt-ud-dev.conllu')));
const test = taggedSentences(await readConlluFile(dataPath('ud-english-ewt', 'en_ewt-ud-test.conllu')));
const t0 = performance.now();
const tagger = trainPosTagger(dev);
const t1 = performance.now();
const r = evaluateTagger(tagger, test);
const t2 = performance.now();
console.log(
  `trained on ${dev.length} sentences in ${(t1 - t0).toFixed(0)} ms; tagged ${r.tokens} tokens in ${(t2 - t1).toFixed(0)} ms`,
);
console.log(
  `UPOS accuracy ${(100 * r.accuracy).toFixed(1)}% (known words ${(100 * r.knownAccuracy).toFixed(1)}%, unknown ${(100 * r.unknownAccuracy).toFixed(1)}% on ${r.unknownTokens} tokens)`,
);
const words = ['The', 'quokka', 'smiled', 'at', 'the', 'photographers', '.'];
console.log(words.map((w, i) => `${w}/${tagSentence(tagger, words)[i]}`).join(' '));
