import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVocabulary, EOS_ID } from '@strand/base';
import { hasData } from '@strand/test-utils';
import { createModel, sequenceLogProbs } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketedData } from '../src/commands/names/bucketed.js';
import { normalEmbedding } from '../src/commands/names/classifier.js';
import { productOfPosteriors } from '../src/commands/names/combine.js';
import {
  distinctNames,
  languageLogPrior,
  languageToken,
  lineAccuracy,
  lineCeiling,
  loadNamesSet,
  majorityFloor,
  scoredTruth,
} from '../src/commands/names/data.js';
import { generatorPosteriors } from '../src/commands/names/generator.js';
import { trainNgramClassifier } from '../src/commands/names/ngram.js';
import { runCli as run } from './run-cli.js';

// The embedded wasm backend: tfjs' plain-JS cpu backend is several times slower on recurrent cells.
const runCli = (args: readonly string[]) => run(args, { STRAND_BACKEND: 'wasm' });

// A small stratified slice of the real data and a tiny budget: fast on 2 busy cores.
const tiny = [
  '--limit',
  '1500',
  '--units',
  '24',
  '--embedding',
  '12',
  '--batch',
  '32',
  '--lr',
  '0.01',
  '--eval-every',
  '20',
  '--generator-steps',
  '60',
  '--generator-units',
  '24',
  '--order',
  '3',
];

describe.skipIf(!hasData('names', 'Russian.txt'))('strand names', () => {
  const out = mkdtempSync(join(tmpdir(), 'strand-names-'));
  let result: ReturnType<typeof JSON.parse>; // the parsed --json document
  let stderr = '';

  beforeAll(async () => {
    const r = await runCli(['names', '--json', ...tiny, '--steps', '60', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    result = JSON.parse(r.stdout);
    stderr = r.stderr;
  }, 240_000);

  it('trains the classifier and reports it beside the n-gram classifier and the majority floor', () => {
    expect(result.command).toBe('names');
    expect(result.split.languages).toBe(20);
    expect(result.split.by).toBe('surname');
    // 10% of the lines held out, stratified, whole surnames at a time (at most one over per language).
    const lines = result.split.train + result.split.heldOutLines;
    expect(result.split.heldOutLines / lines).toBeCloseTo(0.1, 1);
    expect(result.split.heldOut).toBeLessThanOrEqual(result.split.heldOutLines);
    expect(result.classifier.steps).toBe(60);
    const { majority, ngram } = result.baselines;
    expect(majority.label).toBe('Russian');
    expect(majority.accuracy).toBeGreaterThan(0.4);
    expect(majority.accuracy).toBeLessThan(0.55);
    // The n-gram classifier is far above the floor even on a slice; the tiny network at least reaches it.
    expect(ngram.accuracy).toBeGreaterThan(majority.accuracy + 0.1);
    expect(result.classifier.accuracy).toBeGreaterThanOrEqual(majority.accuracy - 1e-9);
    for (const x of [ngram.accuracy, ngram.macroF1, result.classifier.accuracy, result.classifier.macroF1]) {
      expect(Number.isFinite(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
    expect(result.classifier.curve.length).toBeGreaterThanOrEqual(3);
    expect(stderr).toMatch(/baseline 3-gram per language/);
  });

  it('reads the generator as a classifier and reports its product with the BiGRU as the neural classifier', () => {
    const { generator, neural } = result;
    expect(generator.steps).toBe(60);
    for (const x of [generator.accuracy, generator.macroF1, neural.accuracy, neural.macroF1]) {
      expect(Number.isFinite(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
    expect(neural.of).toEqual(['bigru', 'generator']);
    // Per line, against each line's own language: never above the ceiling.
    for (const m of [neural, result.classifier, generator, result.baselines.ngram]) {
      expect(m.perLine).toBeGreaterThanOrEqual(0);
      expect(m.perLine).toBeLessThanOrEqual(result.split.perLineCeiling + 1e-12);
    }
    expect(result.split.perLineCeiling).toBeGreaterThan(0.9);
    expect(result.reachesTarget).toBe(neural.accuracy >= 0.85);
    expect(result.confusion.of).toBe('bigru × generator');
  });

  it('splits by surname: no held-out name is in training, cross-listed names keep all their languages', async () => {
    const set = await loadNamesSet({ dataDir: undefined });
    expect(set.train.length + set.valid.length).toBe(set.all.length);
    const trained = new Set(set.train.map((n) => n.text));
    expect(set.valid.some((n) => trained.has(n.text))).toBe(false);
    // Every language keeps about 10% of its lines held out: whole surnames (at most one over), each
    // counted in the language of its first line, so a cross-listed surname also moves lines of the others.
    const languagesOf = new Map<string, Set<string>>();
    for (const n of set.all) languagesOf.set(n.text, (languagesOf.get(n.text) ?? new Set()).add(n.label));
    for (const label of set.labels) {
      const all = set.all.filter((n) => n.label === label).length;
      const held = set.valid.filter((n) => n.label === label);
      const crossListed = held.filter((n) => languagesOf.get(n.text)!.size > 1).length;
      expect(Math.abs(held.length - Math.round(all / 10))).toBeLessThanOrEqual(crossListed + 3);
    }
    expect(set.heldOut.length).toBe(new Set(set.valid.map((n) => n.text)).size);
    for (const n of set.heldOut)
      expect(n.languages).toEqual(
        set.labels.filter((l) => set.valid.some((v) => v.text === n.text && v.label === l)),
      );
    expect(set.heldOut.some((n) => n.languages.length > 1)).toBe(true);
    // Fixed: the same split on every load.
    expect((await loadNamesSet({ dataDir: undefined })).heldOut).toEqual(set.heldOut);
  });

  it('reports the confusion matrix, the most confused pairs and an SVG heatmap', () => {
    const { labels, counts, svg } = result.confusion;
    expect(labels).toHaveLength(20);
    expect(counts).toHaveLength(400);
    expect(counts.reduce((a: number, b: number) => a + b, 0)).toBe(result.split.heldOut);
    let diagonal = 0;
    for (let i = 0; i < 20; i++) diagonal += counts[i * 21];
    expect(diagonal / result.split.heldOut).toBeCloseTo(result.neural.accuracy, 10);
    for (const p of result.mostConfused) {
      expect(p.truth).not.toBe(p.predicted);
      expect(counts[labels.indexOf(p.truth) * 20 + labels.indexOf(p.predicted)]).toBe(p.count);
    }
    expect(existsSync(svg)).toBe(true);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('Russian');
    expect(text).toContain('Vietnamese');
  });

  it('predict prints the top 3 languages with probabilities from the checkpoint', async () => {
    const r = await runCli(['names', 'predict', 'Dostoevsky', 'Nakamura', '--checkpoint', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.model).toBe('classifier × generator');
    expect(p.results.map((x: { name: string }) => x.name)).toEqual(['Dostoevsky', 'Nakamura']);
    for (const { top } of p.results) {
      expect(top).toHaveLength(3);
      expect(new Set(top.map((t: { language: string }) => t.language)).size).toBe(3);
      for (let i = 0; i < 3; i++) {
        expect(top[i].probability).toBeGreaterThan(0);
        if (i > 0) expect(top[i].probability).toBeLessThanOrEqual(top[i - 1].probability);
      }
      expect(top[0].probability + top[1].probability + top[2].probability).toBeLessThanOrEqual(1 + 1e-6);
    }
    const plain = await runCli(['names', 'predict', 'Dostoevsky', '--checkpoint', out]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^Dostoevsky\n\s+\S+\s+\d+\.\d%/);
  });

  it('generate samples seeded names in a language and marks known ones', async () => {
    const args = [
      'names',
      'generate',
      '--language',
      'italian',
      '--count',
      '4',
      '--checkpoint',
      out,
      '--json',
      '--seed',
      '7',
    ];
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    const g = JSON.parse(r.stdout);
    expect(g.language).toBe('Italian');
    expect(g.names).toHaveLength(4);
    for (const n of g.names) {
      expect(typeof n.name).toBe('string');
      expect(n.name).not.toMatch(/[<>]/); // no language or special tokens leak into names
      expect(typeof n.inData).toBe('boolean');
    }
    const again = await runCli(args);
    expect(JSON.parse(again.stdout)).toEqual(g); // seeded
  });

  it('bad input gives one clear line and a non-zero exit', async () => {
    const unknown = await runCli(['names', 'generate', '--language', 'Klingon', '--checkpoint', out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown language 'Klingon': expected one of Arabic, Chinese/);
    const empty = await runCli(['names', 'predict', ' ', '--checkpoint', out]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/a name is empty/);
    const noCheckpoint = await runCli(['names', 'predict', 'Smith', '--checkpoint', join(out, 'nothing')]);
    expect(noCheckpoint.code).toBe(2);
    expect(noCheckpoint.stderr).toMatch(/no classifier checkpoint found/);
    const noData = await runCli([
      'names',
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'no-data-')),
      '--steps',
      '1',
    ]);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/names/);
    for (const r of [unknown, empty, noCheckpoint, noData]) {
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('strand:')),
      ).toHaveLength(1);
    }
  }, 120_000);
});

describe('names baselines (no data needed)', () => {
  const train = [
    ...['Ivanov', 'Petrov', 'Smirnov', 'Volkov', 'Popov', 'Sokolov'].map((text) => ({
      text,
      label: 'Russian',
    })),
    ...['Tanaka', 'Suzuki', 'Nakamura', 'Yamamoto', 'Kobayashi'].map((text) => ({ text, label: 'Japanese' })),
  ];

  it('the per-language n-gram classifier gives a posterior over the languages', () => {
    const c = trainNgramClassifier(train, ['Japanese', 'Russian'], 3);
    for (const [name, want] of [
      ['Sidorov', 1],
      ['Yamamura', 0],
    ] as const) {
      const p = c.probabilities(name);
      expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
      expect(p[want]).toBeGreaterThan(0.9);
    }
    // Unseen characters still get a finite posterior (they are <unk> in every model alike).
    const q = c.probabilities('Żółw');
    expect(Number.isFinite(q[0]!) && Number.isFinite(q[1]!)).toBe(true);
  });

  it('the majority floor is the share of held-out names listed under the most frequent training language', () => {
    const heldOut = [
      { text: 'A', languages: ['Russian'] },
      { text: 'B', languages: ['Japanese'] },
      { text: 'C', languages: ['English', 'Russian'] },
      { text: 'D', languages: ['Greek'] },
    ];
    expect(majorityFloor(train, heldOut)).toEqual({ label: 'Russian', accuracy: 0.5 });
  });
});

describe('names: scoring against every language of a surname (no data needed)', () => {
  const labels = ['Czech', 'English', 'French', 'Russian'];

  it('distinct names keep all their languages, in label order', () => {
    const lines = [
      { text: 'Petersen', label: 'English' },
      { text: 'Ivanov', label: 'Russian' },
      { text: 'Petersen', label: 'Czech' },
      { text: 'Ivanov', label: 'Russian' }, // listed twice under one language: one name
      { text: 'petersen', label: 'French' }, // exact text only: case matters
    ];
    expect(distinctNames(lines, labels)).toEqual([
      { text: 'Petersen', languages: ['Czech', 'English'] },
      { text: 'Ivanov', languages: ['Russian'] },
      { text: 'petersen', languages: ['French'] },
    ]);
  });

  it('a prediction is scored against itself when it is one of the languages, else the first', () => {
    const heldOut = [
      { text: 'Petersen', languages: ['Czech', 'English'] },
      { text: 'Petersen2', languages: ['Czech', 'English'] },
      { text: 'Ivanov', languages: ['Russian'] },
      { text: 'Abel', languages: ['English', 'French'] },
    ];
    // English (a listed language), Russian (not listed), Russian (right), Czech (not listed).
    expect(scoredTruth(heldOut, labels, [1, 3, 3, 0])).toEqual([1, 0, 3, 1]);
    expect(() => scoredTruth(heldOut, labels, [1])).toThrow(
      /predictions: expected shape \[4\], received \[1\]/,
    );
  });

  it('per line, each line against its own language: a cross-listed surname is at most half right', () => {
    const lines = [
      { text: 'Petersen', label: 'English' },
      { text: 'Petersen', label: 'Czech' },
      { text: 'Ivanov', label: 'Russian' },
      { text: 'Ivanov', label: 'Russian' },
      { text: 'Abel', label: 'French' },
    ];
    const heldOut = distinctNames(lines, labels); // Petersen [Czech, English], Ivanov, Abel
    // Petersen -> English (1 of its 2 lines), Ivanov -> Russian (2 of 2), Abel -> Czech (0 of 1).
    expect(lineAccuracy(lines, heldOut, labels, [1, 3, 0])).toBeCloseTo(3 / 5, 12);
    expect(lineCeiling(lines)).toBeCloseTo(4 / 5, 12);
    expect(lineCeiling([])).toBe(0);
    expect(() => lineAccuracy(lines, heldOut, labels, [1])).toThrow(/predictions/);
  });

  it('the language prior is the log share of training lines', () => {
    const prior = languageLogPrior(
      [
        { text: 'a', label: 'English' },
        { text: 'b', label: 'English' },
        { text: 'c', label: 'Russian' },
        { text: 'd', label: 'English' },
      ],
      labels,
    );
    expect(Array.from(prior)).toEqual([
      Number.NEGATIVE_INFINITY,
      Math.log(0.75),
      Number.NEGATIVE_INFINITY,
      Math.log(0.25),
    ]);
  });

  it("the generator read through Bayes' rule: prior plus each language's sequence log-probability, normalised", () => {
    const langs = ['Japanese', 'Russian'];
    const vocabulary = createVocabulary([...'abdikmnostuv', ...langs.map(languageToken)]);
    const model = createModel({
      kind: 'language-model',
      cell: 'gru',
      vocabSize: vocabulary.size,
      units: 8,
      layers: 1,
      embeddingDim: 4,
      seed: 3,
    });
    const names = ['ivanov', 'tanaka', 'a', 'suzuki'];
    const logPrior = [Math.log(0.3), Math.log(0.7)];
    const before = tf.memory().numTensors;
    const posteriors = generatorPosteriors(model, vocabulary, langs, logPrior, names);
    expect(tf.memory().numTensors).toBe(before);
    names.forEach((name, i) => {
      // One sequence at a time (no batching, no padding), then Bayes' rule by hand.
      const joint = langs.map(
        (l, k) =>
          logPrior[k]! +
          sequenceLogProbs(
            model,
            [[vocabulary.id(languageToken(l)), ...vocabulary.encode([...name]), EOS_ID]],
            null,
          )[0]!,
      );
      const z = Math.log(Math.exp(joint[0]!) + Math.exp(joint[1]!));
      expect(posteriors[i]![0]).toBeCloseTo(Math.exp(joint[0]! - z), 6);
      expect(posteriors[i]![1]).toBeCloseTo(Math.exp(joint[1]! - z), 6);
    });
    // A prior twice as large for one language doubles its odds.
    const doubled = generatorPosteriors(
      model,
      vocabulary,
      langs,
      [logPrior[0]! + Math.log(2), logPrior[1]!],
      names,
    );
    const odds = (p: ArrayLike<number>) => p[0]! / p[1]!;
    expect(odds(doubled[0]!) / odds(posteriors[0]!)).toBeCloseTo(2, 6);
    expect(() => generatorPosteriors(model, vocabulary, langs, [0], names)).toThrow(/log prior/);
  });
});

describe('names: the product of posteriors (no data needed)', () => {
  it('multiplies two posteriors and renormalises, also when one underflows to zero', () => {
    const [a, b, c] = productOfPosteriors(
      [
        [0.5, 0.5],
        [0.2, 0.8],
        [0.3, 0.7],
      ],
      [
        [0.9, 0.1],
        [0.6, 0.4],
        [1, 0],
      ],
    );
    expect(Array.from(a!)).toEqual([expect.closeTo(0.9, 12), expect.closeTo(0.1, 12)]);
    // 0.12 and 0.32 over 0.44.
    expect(a!.length + b!.length).toBe(4);
    expect(b![0]).toBeCloseTo(0.12 / 0.44, 12);
    expect(b![1]).toBeCloseTo(0.32 / 0.44, 12);
    expect(c![0]).toBeCloseTo(1, 12);
    expect(c![1]).toBeGreaterThanOrEqual(0);
    expect(() => productOfPosteriors([[0.5, 0.5]], [])).toThrow(
      /posteriors: expected shape \[1\], received \[0\]/,
    );
    expect(() => productOfPosteriors([[0.5, 0.5]], [[1, 0, 0]])).toThrow(/posterior 0: expected shape \[2\]/);
  });
});

describe('names training helpers (no data needed)', () => {
  // 103 examples of lengths 1..12; the label is the example's index, so batches can be traced.
  const examples = Array.from({ length: 103 }, (_, i) => ({
    ids: Int32Array.from({ length: 1 + ((i * 7) % 12) }, (_, t) => 4 + ((i + t) % 9)),
    label: i,
  }));

  it('bucketed batches cover every example once per epoch, padded to their own longest', () => {
    const data = bucketedData(examples, { batchSize: 8, seed: 3 });
    expect(data.batchesPerEpoch).toBe(13);
    for (const epoch of [0, 1]) {
      const seen: number[] = [];
      for (let i = 0; i < data.batchesPerEpoch; i++) {
        const b = data.batch(epoch, i);
        const rows = Array.from(b.targets);
        seen.push(...rows);
        expect(b.length).toBe(Math.max(...rows.map((r) => examples[r]!.ids.length)));
        rows.forEach((r, k) => {
          const ids = examples[r]!.ids;
          expect(Array.from(b.inputs.subarray(k * b.length, k * b.length + ids.length))).toEqual(
            Array.from(ids),
          );
          expect(b.mask![k * b.length + ids.length - 1]).toBe(1);
          if (ids.length < b.length) {
            expect(b.inputs[k * b.length + ids.length]).toBe(0);
            expect(b.mask![k * b.length + ids.length]).toBe(0);
          }
        });
      }
      expect(seen.sort((a, b) => a - b)).toEqual(examples.map((e) => e.label));
    }
    // Similar lengths together: far less padding than the same batches drawn at random would need.
    const padded = (d: typeof data) =>
      Array.from({ length: d.batchesPerEpoch }, (_, i) => d.batch(0, i)).reduce(
        (n, b) => n + b.batch * b.length,
        0,
      );
    const real = examples.reduce((n, e) => n + e.ids.length, 0);
    expect(padded(data) / real).toBeLessThan(1.25);
    // Seeded: the same seed gives the same batches, another seed other ones.
    const again = bucketedData(examples, { batchSize: 8, seed: 3 });
    const other = bucketedData(examples, { batchSize: 8, seed: 4 });
    expect(Array.from(again.batch(1, 5).targets)).toEqual(Array.from(data.batch(1, 5).targets));
    expect(Array.from(other.batch(1, 5).targets)).not.toEqual(Array.from(data.batch(1, 5).targets));
    expect(() => bucketedData([], { batchSize: 8 })).toThrow(/at least one example/);
  });

  it('normalEmbedding redraws the embedding from N(0, 1) and keeps the padding row at zero', () => {
    const model = createModel({
      kind: 'sequence-classifier',
      cell: 'gru',
      vocabSize: 400,
      numClasses: 3,
      units: 4,
      embeddingDim: 25,
      seed: 1,
    });
    const weight = (model.params as unknown as { embedding: { weight: tf.Variable } }).embedding.weight;
    const before = tf.memory().numTensors;
    normalEmbedding(model, 9);
    expect(tf.memory().numTensors).toBe(before);
    const w = weight.arraySync() as number[][];
    expect(w[0]!.every((x) => x === 0)).toBe(true);
    const rest = w.slice(1).flat();
    const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
    const sd = Math.sqrt(rest.reduce((a, b) => a + (b - mean) ** 2, 0) / rest.length);
    // 9,975 draws: the mean within ~4 standard errors of 0, the deviation within 4% of 1
    // (the classifier's own U(-0.1, 0.1) table has a deviation of 0.058).
    expect(Math.abs(mean)).toBeLessThan(0.04);
    expect(Math.abs(sd - 1)).toBeLessThan(0.04);
  });
});
