import { dataPath, hasData } from '@strand/test-utils';
import { describe, expect, it } from 'vitest';
import { taggedSentences } from './conllu.js';
import { readConlluFile } from './node.js';
import { evaluateTagger, tagSentence, trainPosTagger } from './pos-tagger.js';
import { unknownWordScores, wordShape } from './unknown-words.js';

const toy = [
  { words: ['the', 'dog', 'runs'], tags: ['DET', 'NOUN', 'VERB'] },
  { words: ['a', 'cat', 'sleeps'], tags: ['DET', 'NOUN', 'VERB'] },
  { words: ['the', 'cats', 'walked', 'quickly'], tags: ['DET', 'NOUN', 'VERB', 'ADV'] },
  { words: ['dogs', 'bark'], tags: ['NOUN', 'VERB'] },
  { words: ['Paris', 'sleeps'], tags: ['PROPN', 'VERB'] },
];

describe('part-of-speech tagger', () => {
  it('tags known words and uses suffixes and shape for unknown ones', () => {
    const tagger = trainPosTagger(toy, { rareThreshold: 5 });
    expect(tagSentence(tagger, ['the', 'cat', 'runs'])).toEqual(['DET', 'NOUN', 'VERB']);
    expect(tagSentence(tagger, ['the', 'The'])).toHaveLength(2);
    // "jumped" is unknown; its -ed suffix points at VERB (from "walked")
    expect(tagSentence(tagger, ['a', 'dog', 'jumped'])).toEqual(['DET', 'NOUN', 'VERB']);
    expect(tagSentence(tagger, [])).toEqual([]);
    expect(wordShape('Well-known')).toBe('Uh');
    expect(wordShape('1990s')).toBe('ld');
    const scores = new Float64Array(tagger.tags.length);
    unknownWordScores(tagger.unknown, 'slowly', scores);
    expect(tagger.tags[scores.indexOf(Math.max(...scores))]).toBe('ADV');
  });

  it('rejects sentences whose words and tags do not line up', () => {
    expect(() => trainPosTagger([{ words: ['a', 'b'], tags: ['X'] }])).toThrow(
      /tagged sentence 0: expected as many tags as words/,
    );
    expect(() => trainPosTagger([])).toThrow(/tagged sentences/);
  });

  describe.skipIf(!hasData('ud-english-ewt', 'en_ewt-ud-test.conllu'))(
    'on UD English-EWT (train on dev, test on test)',
    () => {
      it('tags UPOS with high accuracy', async () => {
        const dev = taggedSentences(await readConlluFile(dataPath('ud-english-ewt', 'en_ewt-ud-dev.conllu')));
        const test = taggedSentences(
          await readConlluFile(dataPath('ud-english-ewt', 'en_ewt-ud-test.conllu')),
        );
        const tagger = trainPosTagger(dev);
        const r = evaluateTagger(tagger, test);
        // measured: accuracy 0.898 (known words 0.940, unknown 0.708; 4,493 of 25,094 test tokens unknown)
        expect(r.tokens).toBe(25_094);
        expect(r.accuracy).toBeGreaterThan(0.88);
        expect(r.knownAccuracy).toBeGreaterThan(0.92);
        expect(r.unknownAccuracy).toBeGreaterThan(0.65);
      });
    },
  );
});
