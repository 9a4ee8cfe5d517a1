import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeParameters } from '@strand/core';
import { hasData } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  bilstmLogits,
  bilstmVariables,
  bilstmVocabulary,
  createBiLstmTagger,
  disposeTagBatch,
  tagBatch,
} from '../src/commands/tag/bilstm.js';
import { loadBiLstm, saveBiLstm } from '../src/commands/tag/checkpoint.js';
import { mostFrequentTag, scoreTags, trainingWords } from '../src/commands/tag/evaluate.js';
import { suffixScores, type TaggedSentence, tagTnt, trainTnt } from '../src/commands/tag/tnt.js';
import { runCli } from './run-cli.js';

const s = (text: string): TaggedSentence => {
  const pairs = text.split(' ').map((wt) => wt.split('/') as [string, string]);
  return { words: pairs.map((p) => p[0]), tags: pairs.map((p) => p[1]) };
};

describe('TnT trigram HMM', () => {
  it('deleted interpolation gives the hand-computed weights', () => {
    // "x/A y/B" twice and "x/A" once; # is the sentence boundary. Trigrams and counts:
    // (# # A) 3, (# A B) 2, (A B #) 2, (# A #) 1. Unigrams (of t3): A 3, B 2, # 3, N = 8.
    // Bigrams (t2 t3): (# A) 3, (A B) 2, (B #) 2, (A #) 1; as contexts f(#) = 3, f(A) = 3, f(B) = 2.
    // Trigram contexts: f(# #) = 3, f(# A) = 3, f(A B) = 2. Each trigram votes with its count for the
    // largest of c3 = (f(t1t2t3)-1)/(f(t1t2)-1), c2 = (f(t2t3)-1)/(f(t2)-1), c1 = (f(t3)-1)/(N-1):
    // (# # A): c3 = 2/2, c2 = 2/2, c1 = 2/7 -> λ3 += 3 (ties go to the longer context)
    // (# A B): c3 = 1/2, c2 = 1/2, c1 = 1/7 -> λ3 += 2
    // (A B #): c3 = 1/1, c2 = 1/1, c1 = 2/7 -> λ3 += 2
    // (# A #): c3 = 0/2, c2 = 0/2, c1 = 2/7 -> λ1 += 1
    const tagger = trainTnt([s('x/A y/B'), s('x/A y/B'), s('x/A')], { capitalisation: false });
    expect(tagger.lambdas[0]).toBeCloseTo(1 / 8, 12);
    expect(tagger.lambdas[1]).toBe(0);
    expect(tagger.lambdas[2]).toBeCloseTo(7 / 8, 12);
    // P(B | #, A) = 1/8 * 2/8 + 0 + 7/8 * 2/3 (f(# A B) / f(# A)).
    const K = 3;
    const [A, B] = [tagger.states.indexOf('A'), tagger.states.indexOf('B')];
    const boundary = 2;
    expect(Math.exp(tagger.logTrans[(boundary * K + A) * K + B]!)).toBeCloseTo(
      (1 / 8) * (2 / 8) + (7 / 8) * (2 / 3),
      12,
    );
  });

  it('resolves an ambiguous word from its neighbours (the seeds example)', () => {
    const train = [
      s('I/PRON would/AUX like/VERB the/DET duck/NOUN ./PUNCT'),
      s('the/DET duck/NOUN swims/VERB ./PUNCT'),
      s('a/DET duck/NOUN ate/VERB the/DET bread/NOUN ./PUNCT'),
      s('he/PRON had/VERB to/PART duck/VERB ./PUNCT'),
      s('we/PRON had/VERB to/PART run/VERB ./PUNCT'),
      s('they/PRON want/VERB to/PART eat/VERB ./PUNCT'),
    ];
    const tagger = trainTnt(train);
    expect(tagTnt(tagger, ['I', 'would', 'like', 'the', 'duck', '.'])).toEqual([
      'PRON',
      'AUX',
      'VERB',
      'DET',
      'NOUN',
      'PUNCT',
    ]);
    expect(tagTnt(tagger, ['He', 'had', 'to', 'duck', '.'])).toEqual([
      'PRON',
      'VERB',
      'PART',
      'VERB',
      'PUNCT',
    ]);
    expect(tagTnt(tagger, [])).toEqual([]);
  });

  it('guesses unseen words from their endings, apart by capitalisation', () => {
    const train = [
      s('they/PRON were/AUX jumping/VERB ./PUNCT'),
      s('she/PRON is/AUX singing/VERB loudly/ADV ./PUNCT'),
      s('we/PRON saw/VERB Paris/PROPN quickly/ADV ./PUNCT'),
      s('I/PRON like/VERB Berlin/PROPN ./PUNCT'),
      s('I/PRON met/VERB David/PROPN ./PUNCT'),
    ];
    const tagger = trainTnt(train, { maxSuffixLength: 3 });
    const best = (w: string) => {
      const sc = suffixScores(tagger.suffix, w);
      return tagger.tags[tagger.stateTag[sc.indexOf(Math.max(...sc))]!];
    };
    expect(best('dancing')).toBe('VERB');
    expect(best('softly')).toBe('ADV');
    expect(best('Madrid')).toBe('PROPN');
    expect(tagTnt(tagger, ['they', 'were', 'dancing', 'softly', '.'])).toEqual([
      'PRON',
      'AUX',
      'VERB',
      'ADV',
      'PUNCT',
    ]);
  });

  it('rejects sentences whose words and tags disagree, with a typed error', () => {
    expect(() => trainTnt([{ words: ['a', 'b'], tags: ['X'] }])).toThrow(/2 words and 1 tags/);
    expect(() => trainTnt([])).toThrow(/at least one/);
  });
});

describe('tag scoring and the most-frequent-tag baseline', () => {
  it('counts accuracy overall and on unseen words by hand', () => {
    const train = [s('the/DET run/NOUN ./PUNCT'), s('run/VERB run/VERB ./PUNCT')];
    const mf = mostFrequentTag(train);
    expect(mf('run')).toBe('VERB'); // 2 VERB vs 1 NOUN
    // The commonest tag overall: PUNCT 2 and VERB 2 tie; the one seen first wins.
    expect(mf('zebra')).toBe('PUNCT');
    const gold = [s('the/DET zebra/NOUN ./PUNCT')];
    const score = scoreTags(gold, [['DET', 'VERB', 'PUNCT']], trainingWords(train));
    expect(score.accuracy).toBeCloseTo(2 / 3, 12);
    expect(score.unseenTokens).toBe(1);
    expect(score.unseenAccuracy).toBe(0);
  });
});

const HAS_UD = hasData('ud-english-ewt', 'en_ewt-ud-train.conllu');

describe('BiLSTM tagger batches', () => {
  it('word dropout replaces the chosen words by <unk> and keeps their characters', () => {
    const train = [s('the/DET duck/NOUN swims/VERB ./PUNCT'), s('the/DET Duck/NOUN ./PUNCT')];
    const vocab = bilstmVocabulary(train, 1);
    const model = createBiLstmTagger({
      kind: 'bilstm-char-tagger',
      ...vocab,
      wordDim: 4,
      charDim: 3,
      charUnits: 2,
      units: 2,
      dropout: 0,
      seed: 1,
    });
    const sentence = [{ words: ['The', 'duck', 'swims', 'Quack'] }];
    const plain = tagBatch(model, sentence);
    const dropped = tagBatch(model, sentence, (w) => w === 'duck');
    const id = (w: string) => vocab.words.indexOf(w);
    // 'duck' is in the vocabulary but dropped; 'Quack' is unseen (<unk> = 1) either way.
    expect(Array.from(plain.wordIds.dataSync())).toEqual([id('the'), id('duck'), id('swims'), 1]);
    expect(Array.from(dropped.wordIds.dataSync())).toEqual([id('the'), 1, id('swims'), 1]);
    expect(Array.from(dropped.charIds.dataSync())).toEqual(Array.from(plain.charIds.dataSync()));
    disposeTagBatch(plain);
    disposeTagBatch(dropped);
    disposeParameters(model.params as never);
  });
});

describe('a deeper sentence BiLSTM (--layers)', () => {
  const train = [s('the/DET duck/NOUN swims/VERB ./PUNCT'), s('a/DET Duck/NOUN quacks/VERB ./PUNCT')];
  const config = (layers: number | undefined, dropout = 0) => ({
    kind: 'bilstm-char-tagger' as const,
    ...bilstmVocabulary(train, 1),
    wordDim: 4,
    charDim: 3,
    charUnits: 2,
    units: 3,
    ...(layers === undefined ? {} : { layers }),
    dropout,
    seed: 7,
  });

  it('stacks the layers by parameter path; layer 0 is the one-layer tagger, seeds and all', () => {
    const one = createBiLstmTagger(config(undefined));
    const two = createBiLstmTagger(config(2));
    const p1 = bilstmVariables(one);
    const p2 = bilstmVariables(two);
    const rnn1 = [...p1.keys()].filter((k) => k.startsWith('rnn.'));
    const rnn2 = [...p2.keys()].filter((k) => k.startsWith('rnn.'));
    expect(rnn2).toHaveLength(2 * rnn1.length);
    for (const k of rnn1) {
      const deep = `rnn.0.${k.slice('rnn.'.length)}`;
      expect(p2.has(deep), deep).toBe(true);
      expect(Array.from(p2.get(deep)!.dataSync())).toEqual(Array.from(p1.get(k)!.dataSync()));
    }
    // Layer 1 reads both directions of layer 0: its input weights have 2 · units rows.
    const upper = [...p2.entries()].filter(([k]) => k.startsWith('rnn.1.forward.'));
    expect(upper.some(([, v]) => v.shape.includes(2 * 3))).toBe(true);
    // Everything else is shared unchanged.
    const others = [...p1.keys()].filter((k) => !k.startsWith('rnn.'));
    expect(others.length).toBeGreaterThan(3); // embeddings, character BiLSTM, head
    for (const k of others)
      expect(Array.from(p2.get(k)!.dataSync()), k).toEqual(Array.from(p1.get(k)!.dataSync()));
    disposeParameters(one.params as never);
    disposeParameters(two.params as never);
  });

  it('gives [B, T, tags] logits, random only when training (dropout), and saves and loads', async () => {
    const model = createBiLstmTagger(config(3, 0.5));
    const batch = tagBatch(model, train);
    const before = tf.memory().numTensors;
    const evalA = bilstmLogits(model, batch, false);
    const evalB = bilstmLogits(model, batch, false, 99);
    const trainA = bilstmLogits(model, batch, true, 1);
    const trainB = bilstmLogits(model, batch, true, 2);
    expect(evalA.shape).toEqual([2, 4, model.config.tags.length]);
    expect(Array.from(evalB.dataSync())).toEqual(Array.from(evalA.dataSync()));
    expect(Array.from(trainB.dataSync())).not.toEqual(Array.from(trainA.dataSync()));
    tf.dispose([evalB, trainA, trainB]);
    expect(tf.memory().numTensors).toBe(before + 1);

    const file = join(mkdtempSync(join(tmpdir(), 'strand-tag-deep-')), 'bilstm.safetensors');
    writeFileSync(file, await saveBiLstm(model));
    const loaded = (await loadBiLstm(file))!;
    expect(loaded.config.layers).toBe(3);
    const again = bilstmLogits(loaded, batch, false);
    expect(Array.from(again.dataSync())).toEqual(Array.from(evalA.dataSync()));
    tf.dispose([evalA, again]);
    disposeTagBatch(batch);
    disposeParameters(model.params as never);
    disposeParameters(loaded.params as never);
  });
});

describe.skipIf(!HAS_UD)('strand tag (UD English-EWT slice)', () => {
  const out = mkdtempSync(join(tmpdir(), 'strand-tag-'));

  it('trains the HMM and a tiny BiLSTM on a slice and reports a sane --json result', async () => {
    const r = await runCli([
      'tag',
      '--json',
      '--limit',
      '60',
      '--steps',
      '20',
      '--batch',
      '8',
      '--eval-every',
      '5',
      '--word-dim',
      '16',
      '--char-dim',
      '8',
      '--char-units',
      '8',
      '--units',
      '16',
      '--layers',
      '1',
      '--lr',
      '0.02',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.command).toBe('tag');
    expect(result.splits).toEqual({ train: 60, dev: 60, test: 60 });
    for (const m of [result.baseline, result.hmm, result.bilstm]) {
      for (const split of [m.dev, m.test]) {
        expect(split.accuracy).toBeGreaterThan(0);
        expect(split.accuracy).toBeLessThanOrEqual(1);
        expect(split.tokens).toBeGreaterThan(500);
      }
    }
    // The HMM beats the most-frequent-tag baseline even on 60 training sentences.
    expect(result.hmm.test.accuracy).toBeGreaterThan(result.baseline.test.accuracy);
    // Twenty steps of the BiLSTM (the rate decaying over them) already beat always answering the
    // commonest tag (NOUN, < 20%); ten reached 16%.
    expect(result.bilstm.test.accuracy).toBeGreaterThan(0.2);
    expect(result.bilstm.steps).toBe(20);
    expect(result.published.map((p: { accuracy: number }) => p.accuracy)).toEqual([94.4, 95.0, 95.4]);
    expect(r.stderr).toContain('backend: cpu');
  }, 240_000);

  it('tags sentences given on the command line, with the saved BiLSTM too', async () => {
    // The HMM trains on the whole of train (seconds); the BiLSTM is the one the test above saved.
    const r = await runCli(['tag', '--json', '--out', out, 'I would like the duck .', 'He had to duck .']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.sentences).toHaveLength(2);
    expect(result.sentences[0].words).toEqual(['I', 'would', 'like', 'the', 'duck', '.']);
    expect(result.sentences[0].hmm).toEqual(['PRON', 'AUX', 'VERB', 'DET', 'NOUN', 'PUNCT']);
    expect(result.sentences[1].hmm.slice(0, 3)).toEqual(['PRON', 'AUX', 'PART']);
    expect(result.sentences[1].bilstm).toHaveLength(5);
    const plain = await runCli(['tag', '--out', out, 'He had to duck .']);
    expect(plain.stdout).toMatch(/^hmm: {4}He\/PRON had\/\w+ to\/PART duck\/\w+ \.\/PUNCT$/m);
    expect(plain.stdout).toMatch(/^bilstm: He\//m);
  }, 60_000);
});

describe('strand tag: bad input', () => {
  it.each([
    [['tag', '--models', 'crf'], /--models: expected one of hmm, bilstm, received 'crf'/],
    [['tag', '--limit', '0'], /--limit.*expected an integer >= 1, received '0'/],
    [['tag', '--dropout', '2'], /--dropout.*expected a number in \[0, 0.95\], received '2'/],
  ])('%j gives one clear line and exit 2', async (args, pattern) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('a data folder without the treebank is one line and exit 2', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'strand-nodata-'));
    const r = await runCli(['tag', '--models', 'hmm', '--data-dir', empty], { STRAND_DATA_DIR: empty });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/ud-english-ewt/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
