import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPath, hasData } from '@strand/test-utils';
import { describe, expect, it } from 'vitest';
import { parseArpa } from './arpa-read.js';
import { parseConllu, taggedSentences } from './conllu.js';
import { ArpaParseError, ConlluParseError } from './errors.js';
import { trainNgramLm } from './ngram-train.js';
import { readArpaFile, readArpaFileReport, readConlluFile, writeArpaFile } from './node.js';

const SAMPLE = [
  '# sent_id = 1',
  "# text = I can't go.",
  '1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_',
  "2-3\tcan't\t_\t_\t_\t_\t_\t_\t_\t_",
  '2\tca\tcan\tAUX\tMD\t_\t4\taux\t_\t_',
  "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_",
  '4\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_',
  '4.1\tgone\t_\t_\t_\t_\t_\t_\t_\t_',
  '5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_',
  '',
  '1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_',
  '',
  '',
].join('\n');

describe('CoNLL-U', () => {
  it('reads words and tags, skipping multiword ranges and empty nodes', () => {
    const sentences = parseConllu(SAMPLE);
    expect(sentences.length).toBe(2);
    expect(sentences[0]!.comments).toEqual(['sent_id = 1', "text = I can't go."]);
    expect(taggedSentences(sentences)).toEqual([
      { words: ['I', 'ca', "n't", 'go', '.'], tags: ['PRON', 'AUX', 'PART', 'VERB', 'PUNCT'] },
      { words: ['Hi'], tags: ['INTJ'] },
    ]);
    expect(taggedSentences(sentences, 'xpos')[0]!.tags[1]).toBe('MD');
    expect(sentences[0]!.tokens[3]!.head).toBe(0);
  });

  it('names the line of a malformed entry', () => {
    const badColumns = SAMPLE.replace('4\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_', '4\tgo\tgo\tVERB');
    expect(() => parseConllu(badColumns)).toThrow(ConlluParseError);
    expect(() => parseConllu(badColumns)).toThrow(/CoNLL-U line 7: expected 10 tab-separated columns, got 4/);
    const badId = SAMPLE.replace('5\t.\t.', '6\t.\t.');
    expect(() => parseConllu(badId)).toThrow(/line 9: expected word id 5, got 6/);
  });

  describe.skipIf(!hasData('ud-english-ewt', 'en_ewt-ud-dev.conllu'))('on English-EWT dev', () => {
    it('reads all 2,001 sentences', async () => {
      const sentences = await readConlluFile(dataPath('ud-english-ewt', 'en_ewt-ud-dev.conllu'));
      expect(sentences.length).toBe(2001);
      const tags = new Set(sentences.flatMap((s) => s.tokens.map((t) => t.upos)));
      expect(tags.size).toBe(17); // the Universal POS tag set
    });
  });
});

describe('Node file helpers', () => {
  it('writes ARPA files atomically and reads them back; errors name the file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strand-markov-'));
    try {
      const lm = trainNgramLm(
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
        { order: 2, smoothing: { kind: 'witten-bell' } },
      );
      const path = join(dir, 'lm.arpa');
      await writeArpaFile(path, lm);
      const text = await readFile(path, 'utf8');
      expect(text.startsWith('\\data\\\nngram 1=5\nngram 2=')).toBe(true);
      const back = await readArpaFile(path);
      const report = await readArpaFileReport(path);
      expect([report.clampedProbabilities, report.addedUnk, report.warnings]).toEqual([0, false, []]);
      expect((await readdir(dir)).sort()).toEqual(['lm.arpa']); // no temp file left beside it
      expect(back.logProb(['a', 'b'])).toBeCloseTo(lm.logProb(['a', 'b']), 9);
      expect(parseArpa(text).ngramCounts).toEqual(lm.ngramCounts);
      await writeFile(path, text.replace('ngram 2=', 'ngram 3='));
      const err = await readArpaFile(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArpaParseError);
      expect((err as ArpaParseError).message).toBe(
        `ARPA ${path}:3: n-gram orders must be consecutive from 1: expected ngram 2, got ngram 3`,
      );
      expect((err as ArpaParseError).line).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
