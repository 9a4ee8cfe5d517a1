import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conditionedOn, Seq2Seq, TransformerSeq2Seq } from '@strand/attention';
import { useBackend } from '@strand/backend';
import { BOS_ID, EOS_ID } from '@strand/base';
import { expectNoLeakedTensors, hasData } from '@strand/test-utils';
import { beamSearch, lengthPenalty } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  brevityPenalty,
  closestReferenceLength,
  corpusBleu,
  sentenceStats,
} from '../src/commands/translate/bleu.js';
import {
  decodeTarget,
  encodeTarget,
  splitPairs,
  testSentences,
  trainTokenizer,
} from '../src/commands/translate/data.js';
import { attentionOf, beamOne, greedyBatch } from '../src/commands/translate/decode.js';
import { evaluate, lengthBuckets } from '../src/commands/translate/evaluate.js';
import { attentionMargins } from '../src/commands/translate/margins.js';
import { modelConfig, TRANSLATE_DEFAULTS } from '../src/commands/translate/models.js';
import { runCli } from './run-cli.js';

const w = (s: string) => s.split(' ').filter(Boolean);
const FLOAT_MIN = 2.2250738585072014e-308;

describe('corpus BLEU-4 (nltk corpus_bleu)', () => {
  it('hand-computed: clipped counts, the zero 4-gram floor', () => {
    const s = sentenceStats([w('the cat is on the mat')], w('the cat the cat on the mat'));
    expect(s.matches).toEqual([5, 3, 1, 0]);
    expect(s.totals).toEqual([7, 6, 5, 4]);
    const r = corpusBleu([[w('the cat is on the mat')]], [w('the cat the cat on the mat')]);
    expect(r.brevityPenalty).toBe(1);
    const expected = Math.exp(
      0.25 * (Math.log(5 / 7) + Math.log(3 / 6) + Math.log(1 / 5) + Math.log(FLOAT_MIN)),
    );
    expect(r.bleu).toBeCloseTo(expected, 300);
    expect(r.bleu).toBeGreaterThan(0);
    expect(r.bleu).toBeLessThan(1e-70);
  });

  it('hand-computed: the brevity penalty, perfect precision', () => {
    const r = corpusBleu([[w('a b c d e f')]], [w('a b c d e')]);
    expect(r.precisions).toEqual([1, 1, 1, 1]);
    expect(r.bleu).toBeCloseTo(Math.exp(1 - 6 / 5), 14);
    expect(corpusBleu([[w('she is taller than me .')]], [w('she is taller than me .')]).bleu).toBe(1);
    expect(brevityPenalty(5, 0)).toBe(0);
    expect(brevityPenalty(5, 7)).toBe(1);
  });

  it('sums counts over the corpus before taking the score (not a mean of sentence scores)', () => {
    // matches [4+0, 3+0, 2+0, 1+0] over totals [4+1, 3+1, 2+1, 1+1]; lengths 5 vs 4+1: BP 1.
    const r = corpusBleu([[w('a b c d')], [w('y')]], [w('a b c d'), w('x')]);
    expect(r.bleu).toBeCloseTo((((((((4 / 5) * 3) / 4) * 2) / 3) * 1) / 2) ** 0.25, 14);
    // No unigram match anywhere: exactly 0.
    expect(corpusBleu([[w('a')]], [w('b')]).bleu).toBe(0);
    expect(corpusBleu([[w('a')]], [[]]).bleu).toBe(0);
  });

  it('the closest reference length, ties to the shorter; several references clip by their maximum', () => {
    expect(closestReferenceLength([w('a b c d'), w('a b c d e f')], 5)).toBe(4);
    expect(closestReferenceLength([w('a b c d e f'), w('a b c')], 5)).toBe(6);
    const s = sentenceStats([w('a a b'), w('a c')], w('a a a c'));
    expect(s.matches[0]).toBe(3); // a clipped to 2 (first reference), c to 1
    expect(s.referenceLength).toBe(3);
  });

  it('equals nltk 3.8 corpus_bleu on the committed fixture (test/fixtures/make_translate_bleu.py)', () => {
    const fixture = JSON.parse(
      readFileSync(new URL('./fixtures/translate-bleu.json', import.meta.url), 'utf8'),
    ) as {
      cases: { references: string[][][]; hypotheses: string[][]; bleu: number }[];
    };
    expect(fixture.cases.length).toBeGreaterThanOrEqual(40);
    let nonzero = 0;
    for (const c of fixture.cases) {
      const got = corpusBleu(c.references, c.hypotheses).bleu;
      if (c.bleu === 0) expect(got).toBe(0);
      else expect(Math.abs(got - c.bleu) / c.bleu).toBeLessThan(1e-12);
      if (c.bleu > 1e-9) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(20);
  });

  it('rejects a corpus whose sides differ in length with one clear message', () => {
    expect(() => corpusBleu([[w('a')]], [w('a'), w('b')])).toThrow(
      /as many reference lists as hypotheses \(2\), received 1/,
    );
  });
});

describe('split and buckets', () => {
  it('a seeded 80/10/10 split by source: deterministic, disjoint, complete, no source in two parts', () => {
    // 1,000 pairs over 400 sources with 1 to 4 translations each.
    const items = Array.from({ length: 1000 }, (_, i) => ({ source: `s${(i * 7) % 400}`, id: i }));
    const a = splitPairs(items, 3);
    expect(new Set([...a.train, ...a.valid, ...a.test].map((p) => p.id)).size).toBe(1000);
    // Whole sources until each held-out part has 10% of the pairs: at most one source (4 pairs) over.
    for (const part of [a.test, a.valid]) {
      expect(part.length).toBeGreaterThanOrEqual(100);
      expect(part.length).toBeLessThan(104);
    }
    const partOf = new Map<string, string>();
    for (const [name, part] of Object.entries(a))
      for (const p of part) {
        expect(partOf.get(p.source) ?? name).toBe(name);
        partOf.set(p.source, name);
      }
    expect(splitPairs(items, 3)).toEqual(a);
    expect(splitPairs(items, 4).test).not.toEqual(a.test);
  });

  it('test sentences: one per distinct source with all its translations, scored against all of them', () => {
    const pairs = [
      { source: 'i m so tired .', target: 'je suis tres fatigue .', src: [5, 3], tgt: [] },
      { source: 'it s nice .', target: 'il fait tres beau .', src: [6, 3], tgt: [] },
      { source: 'i m so tired .', target: 'je suis si fatigue .', src: [5, 3], tgt: [] },
    ];
    const sentences = testSentences(pairs);
    expect(sentences).toEqual([
      {
        source: 'i m so tired .',
        src: [5, 3],
        references: ['je suis tres fatigue .', 'je suis si fatigue .'],
      },
      { source: 'it s nice .', src: [6, 3], references: ['il fait tres beau .'] },
    ]);
    const buckets = [{ label: '≤5', min: 1, max: 5 }];
    // Each output matches one of its references exactly: BLEU 100 against all references.
    const e = evaluate(sentences, ['je suis si fatigue .', 'il fait tres beau .'], buckets);
    expect(e.bleu).toBeCloseTo(100, 10);
    expect(e.buckets[0]).toMatchObject({ sentences: 2, bleu: expect.closeTo(100, 10) });
    expect(e.examples[0]).toEqual({
      source: 'i m so tired .',
      references: ['je suis tres fatigue .', 'je suis si fatigue .'],
      output: 'je suis si fatigue .',
    });
    const firstOnly = sentences.map((t) => ({ ...t, references: t.references.slice(0, 1) }));
    // By hand: p1..p4 = 9/10, 6/8, 3/6, 2/4 summed over both sentences, equal lengths (BP 1).
    expect(evaluate(firstOnly, ['je suis si fatigue .', 'il fait tres beau .'], buckets).bleu).toBeCloseTo(
      100 * (0.9 * 0.75 * 0.5 * 0.5) ** 0.25,
      10,
    );
    expect(() => evaluate(sentences, ['je suis si fatigue .'], buckets)).toThrow(
      /translations to score: expected one per test sentence \(2\), received 1/,
    );
  });

  it('attention margins: the best recurrent attention model and the transformer, each minus the bottleneck', () => {
    const m = attentionMargins([
      { model: 'bottleneck', bleu: 12, greedyBleu: 11 },
      { model: 'bahdanau', bleu: 19, greedyBleu: 16.5 },
      { model: 'luong', bleu: 14, greedyBleu: 17 },
      { model: 'transformer', bleu: 30, greedyBleu: 29 },
    ]);
    // Each decoder's best: Bahdanau's beam score, Luong's greedy one.
    expect(m.recurrent).toEqual({ bleu: 7, greedy: 6 });
    expect(m.transformer).toEqual({ bleu: 18, greedy: 18 });
    expect(attentionMargins([{ model: 'bahdanau', bleu: 19, greedyBleu: 19 }])).toEqual({
      recurrent: null,
      transformer: null,
    });
    expect(
      attentionMargins([
        { model: 'bottleneck', bleu: 12, greedyBleu: 12 },
        { model: 'transformer', bleu: 10, greedyBleu: 10 },
      ]),
    ).toEqual({ recurrent: null, transformer: { bleu: -2, greedy: -2 } });
  });

  it('length buckets keep at least minCount sentences at the tails', () => {
    const lengths = [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 9];
    const b = lengthBuckets(lengths, 3);
    expect(b.map((x) => x.label)).toEqual(['≤2', '3', '≥4']);
    expect(b[2]).toEqual({ label: '≥4', min: 4, max: 9 });
  });

  it('the GRU models read left to right unless asked; the flag reaches the model config', () => {
    for (const name of ['bottleneck', 'bahdanau', 'luong'] as const) {
      const config = modelConfig(name, TRANSLATE_DEFAULTS[name], 50, 60, 0);
      expect(config).toMatchObject({ kind: 'seq2seq', bidirectional: false });
      const bi = modelConfig(name, { ...TRANSLATE_DEFAULTS[name], bidirectional: true }, 50, 60, 0);
      expect(bi).toMatchObject({ kind: 'seq2seq', bidirectional: true });
    }
  });
});

describe('decoding', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  const tiny = (attention: 'none' | 'bahdanau' | 'luong', seed = 1) =>
    new Seq2Seq({
      kind: 'seq2seq',
      sourceVocabSize: 7,
      targetVocabSize: 6,
      embeddingDim: 4,
      units: 5,
      attention,
      seed,
    });

  it.each(['none', 'bahdanau', 'luong'] as const)(
    'beam search (%s) equals brute force over every output up to 3 tokens',
    (attention) => {
      const model = tiny(attention, 7);
      const source = [5, 4, 6, EOS_ID];
      const V = 6;
      const L = 3;
      // Every length-3 continuation, scored by one teacher-forced pass; prefixes give the shorter ones.
      const all: number[][] = [];
      for (let a = 0; a < V; a++) for (let b = 0; b < V; b++) for (let c = 0; c < V; c++) all.push([a, b, c]);
      const logp = tf.tidy(() => {
        const src = tf.tensor2d(
          all.flatMap(() => source),
          [all.length, source.length],
          'int32',
        );
        const tgtIn = tf.tensor2d(
          all.flatMap((y) => [BOS_ID, y[0]!, y[1]!]),
          [all.length, L],
          'int32',
        );
        return tf
          .logSoftmax(model.forward(src, tgtIn, { training: false }).logits)
          .arraySync() as number[][][];
      });
      for (const alpha of [0, 0.6]) {
        let best = { tokens: [] as number[], score: Number.NEGATIVE_INFINITY, logProb: 0 };
        const seen = new Set<string>();
        all.forEach((y, i) => {
          let lp = 0;
          for (let k = 0; k < L; k++) {
            lp += logp[i]![k]![y[k]!]!;
            const finished = y[k] === EOS_ID;
            if (finished || k === L - 1) {
              const tokens = y.slice(0, k + 1);
              const key = tokens.join(',');
              if (!seen.has(key)) {
                seen.add(key);
                const score = lp / lengthPenalty(tokens.length, alpha);
                if (score > best.score) best = { tokens, score, logProb: lp };
              }
              break;
            }
          }
        });
        const src = tf.tensor2d([source], [1, source.length], 'int32');
        const lm = conditionedOn(model, src);
        const [found] = beamSearch(lm, [BOS_ID], {
          beamWidth: V ** L,
          maxTokens: L,
          eosId: EOS_ID,
          lengthPenalty: alpha,
        });
        lm.dispose();
        src.dispose();
        expect([...found!.tokens]).toEqual(best.tokens);
        expect(found!.logProb).toBeCloseTo(best.logProb, 4);
      }
    },
  );

  it('batched greedy decoding of padded sources equals one-at-a-time decoding, without leaks', async () => {
    for (const model of [
      tiny('bahdanau', 3),
      new TransformerSeq2Seq({
        kind: 'transformer-seq2seq',
        sourceVocabSize: 7,
        targetVocabSize: 6,
        dModel: 8,
        numHeads: 2,
        numEncoderLayers: 1,
        numDecoderLayers: 1,
        seed: 2,
      }),
    ]) {
      const sources = [
        [5, EOS_ID],
        [4, 6, 5, 5, EOS_ID],
        [6, 4, EOS_ID],
      ];
      const options = { beamWidth: 1, lengthPenalty: 0, maxTokens: 8 };
      await expectNoLeakedTensors(() => {
        const batched = greedyBatch(model, sources, 8);
        expect(batched).toEqual(sources.map((s) => beamOne(model, s, options)));
        const weights = attentionOf(model, sources[1]!, batched[1]!);
        expect(weights).toHaveLength(batched[1]!.length + 1);
        for (const row of weights!) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      });
    }
    expect(attentionOf(tiny('none'), [5, EOS_ID], [4])).toBeNull();
  });
});

describe.skipIf(!hasData('eng-fra', 'eng-fra.txt'))('strand translate (end to end, small slice)', () => {
  const out = mkdtempSync(join(tmpdir(), 'strand-translate-'));
  const small = [
    '--limit',
    '400',
    '--units',
    '24',
    '--embedding',
    '24',
    '--batch',
    '32',
    '--lr',
    '0.01',
    '--warmup',
    '2',
  ];

  it('trains, scores BLEU by source length with a chart, then translates from its checkpoint', async () => {
    const r = await runCli([
      'translate',
      '--json',
      '--model',
      'luong',
      '--encoder',
      'bi',
      ...small,
      '--steps',
      '40',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.command).toBe('translate');
    const { split } = result;
    expect(split.train + split.valid + split.test).toBe(400);
    // Whole sources: each held-out part has at least 10% of the pairs, a few over at most.
    for (const n of [split.valid, split.test]) expect(n).toBeGreaterThanOrEqual(40);
    expect(split.testSources).toBeLessThanOrEqual(split.test);
    expect(split.testSources).toBeGreaterThan(10);
    const [m] = result.models;
    expect(m.model).toBe('luong');
    expect(m.hyperparameters.bidirectional).toBe(true); // --encoder bi
    expect(m.steps).toBe(40);
    expect(Number.isFinite(m.validLoss)).toBe(true);
    expect(m.validLoss).toBeLessThan(Math.log(result.vocabulary.target)); // below uniform after training
    expect(m.test.bleu).toBeGreaterThanOrEqual(0);
    expect(m.test.bleu).toBeLessThanOrEqual(100);
    expect(m.test.buckets.reduce((a: number, b: { sentences: number }) => a + b.sentences, 0)).toBe(
      split.testSources,
    );
    expect(result.baselines.copy.bleu).toBeLessThan(5);
    // One model ran: no bottleneck to measure attention against.
    expect([result.attentionMargin, result.transformerMargin]).toEqual([null, null]);
    expect(readFileSync(result.chart, 'utf8')).toMatch(/^<svg/);
    expect(r.stderr).toMatch(/BLEU/);

    const map = join(out, 'map.svg');
    const t = await runCli([
      'translate',
      'She is taller than me.',
      '--json',
      '--checkpoint',
      join(out, 'luong'),
      '--attention-map',
      map,
    ]);
    expect(t.code, t.stderr).toBe(0);
    const tr = JSON.parse(t.stdout);
    expect(tr.normalized).toBe('she is taller than me .');
    expect(typeof tr.translation).toBe('string');
    expect(tr.model).toBe('luong');
    expect(t.stderr).toMatch(/read as <unk>: .*taller/); // not among the first 400 pairs
    expect(readFileSync(map, 'utf8')).toMatch(/^<svg[\s\S]*she[\s\S]*taller/);

    const beam = await runCli([
      'translate',
      'i m fat .',
      '--beam',
      '3',
      '--length-penalty',
      '0.6',
      '--checkpoint',
      join(out, 'luong'),
    ]);
    expect(beam.code, beam.stderr).toBe(0);
    // 40 steps on 318 pairs: the beam may end at once; then the command says so instead of a silent blank.
    if (beam.stdout.trim().length === 0)
      expect(beam.stderr).toMatch(/<eos> first\): the translation is empty/);
  }, 240_000);

  it('BPE tokenizers and the transformer run end to end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strand-translate-bpe-'));
    const r = await runCli([
      'translate',
      '--json',
      '--model',
      'transformer',
      '--tokenizer',
      'bpe',
      '--bpe-vocab',
      '300',
      ...small,
      '--steps',
      '3',
      '--out',
      dir,
      '--beam',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.tokenizer).toBe('bpe');
    expect(result.vocabulary.target).toBeLessThanOrEqual(300);
    expect(Number.isFinite(result.models[0].test.bleu)).toBe(true);
    expect(Number.isFinite(result.models[0].greedyBleu)).toBe(true); // scored both ways under --beam
    expect(r.stderr).toMatch(/model\s+BLEU\s+greedy\s+len/); // the table shows the greedy column
    expect(existsSync(join(dir, 'transformer', 'checkpoints'))).toBe(true);
  }, 120_000);

  it.each([
    [['translate', '1234', '--checkpoint', '/nonexistent'], /nothing to translate/],
    [['translate', 'hello .', '--checkpoint', '/nonexistent/run'], /no checkpoint at \/nonexistent\/run/],
    [['translate', '--beam', '0'], /--beam.*expected an integer >= 1, received '0'/],
    [['translate', '--model', 'lstm'], /--model.*lstm/],
    [['translate', '--encoder', 'both'], /--encoder.*both/],
    [['translate', '--attention-map', 'x.svg', '--steps', '1'], /--attention-map needs a sentence/],
  ])(
    'bad input %j: one clear line, non-zero exit',
    async (args, pattern) => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    },
    60_000,
  );
});

describe('target decoding', () => {
  it('word-level output is spaced like the references (punctuation stays a word of its own)', () => {
    const tokenizer = trainTokenizer(['je suis gros .', 'va !'], 'word', 0);
    const ids = encodeTarget(tokenizer, 'je suis gros .');
    expect(decodeTarget(tokenizer, 'word', ids)).toBe('je suis gros .');
    const bpe = trainTokenizer(['je suis gros .', 'va !', 'je suis gros .'], 'bpe', 270);
    expect(decodeTarget(bpe, 'bpe', encodeTarget(bpe, 'je suis gros .'))).toBe('je suis gros .');
  });
});
