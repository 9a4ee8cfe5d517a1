import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasData } from '@strand/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { countVectorizerTokens, folds } from '../src/commands/sentiment/data.js';
import { fitLogistic, logisticProbability } from '../src/commands/sentiment/logistic.js';
import { runCli as run } from './run-cli.js';

// The embedded wasm backend: tfjs' plain-JS cpu backend is several times slower on recurrent cells.
const runCli = (args: readonly string[]) => run(args, { STRAND_BACKEND: 'wasm' });

// 200 sentences per source (150 train / 50 test), a small network, a few steps.
const tiny = [
  '--limit',
  '200',
  '--units',
  '16',
  '--embedding',
  '16',
  '--batch',
  '32',
  '--lr',
  '0.01',
  '--eval-every',
  '10',
  '--folds',
  '3',
];

describe.skipIf(!hasData('sentiment', 'yelp_labelled.txt'))('strand sentiment', () => {
  const out = mkdtempSync(join(tmpdir(), 'strand-sentiment-'));
  let result: ReturnType<typeof JSON.parse>; // the parsed --json document

  beforeAll(async () => {
    const r = await runCli(['sentiment', '--json', ...tiny, '--steps', '30', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    result = JSON.parse(r.stdout);
  }, 240_000);

  it('splits each source 75/25 and reports every model per source beside the published anchors', () => {
    expect(result.command).toBe('sentiment');
    expect(result.sources).toEqual([
      { source: 'amazon_cells', train: 150, test: 50 },
      { source: 'imdb', train: 150, test: 50 },
      { source: 'yelp', train: 150, test: 50 },
    ]);
    expect(result.recurrent.steps).toBe(30);
    const { logistic, average } = result.baselines;
    for (const model of [logistic, average, result.recurrent]) {
      expect(model.perSource.map((p: { source: string }) => p.source)).toEqual([
        'amazon_cells',
        'imdb',
        'yelp',
      ]);
      for (const p of model.perSource) {
        expect(Number.isFinite(p.accuracy)).toBe(true);
        expect(p.accuracy * 50).toBeCloseTo(Math.round(p.accuracy * 50), 9); // a count out of 50
      }
    }
    // Bag-of-words logistic regression learns something even from 150 sentences: above the 0.5
    // floor on average, in the split and in cross-validation.
    expect(logistic.mean).toBeGreaterThan(0.55);
    expect(logistic.perSource.every((p: { cv: number }) => p.cv > 0.5)).toBe(true);
    expect(result.baselines.folds).toBe(3);
    // Like-for-like: the baselines also trained on the three training parts together.
    for (const b of [logistic, average])
      expect(b.pooled.map((p: { accuracy: number }) => (p.accuracy * 50) % 1)).toEqual([0, 0, 0]);
    expect(result.anchors.publishedLogistic).toEqual({ amazon_cells: 0.796, imdb: 0.7487, yelp: 0.796 });
    expect(result.recurrent.mean).toBeCloseTo(
      result.recurrent.perSource.reduce((s: number, p: { accuracy: number }) => s + p.accuracy, 0) / 3,
      12,
    );
    expect(result.reachesTarget).toBe(result.recurrent.mean >= 0.8);
  });

  it('shows what each model says about the order-sensitive sentences', () => {
    expect(result.lesson[0].text).toBe('completely lacking a good script, good actors and a good director');
    expect(result.lesson[0].expected).toBe('negative');
    for (const l of result.lesson)
      for (const p of [l.logistic, l.average, l.recurrent]) {
        expect(p).toBeGreaterThan(0);
        expect(p).toBeLessThan(1);
      }
  });

  it('predict gives each model a probability from the saved run', async () => {
    const r = await runCli(['sentiment', 'predict', 'the food was not good', '--checkpoint', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.sentence).toBe('the food was not good');
    for (const k of ['recurrent', 'logistic', 'average']) {
      expect(p[k]).toBeGreaterThan(0);
      expect(p[k]).toBeLessThan(1);
    }
    // The saved lesson figures and predict agree (same weights, same tokens).
    expect(p.logistic).toBeCloseTo(result.lesson[1].logistic, 12);
    expect(p.recurrent).toBeCloseTo(result.lesson[1].recurrent, 5);
    const plain = await runCli(['sentiment', 'predict', 'great', 'food', '--checkpoint', out]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^recurrent\s+(positive|negative)\s+P\(positive\) = 0\.\d{3}/);
  });

  it('bad input gives one clear line and a non-zero exit', async () => {
    const empty = await runCli(['sentiment', 'predict', '  ...  ', '--checkpoint', out]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/has no words/);
    const noCheckpoint = await runCli(['sentiment', 'predict', 'fine', '--checkpoint', join(out, 'none')]);
    expect(noCheckpoint.code).toBe(2);
    expect(noCheckpoint.stderr).toMatch(/no classifier checkpoint found/);
    const noData = await runCli([
      'sentiment',
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'no-data-')),
      '--steps',
      '1',
    ]);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/sentiment/);
    const badPooling = await runCli(['sentiment', '--pooling', 'median']);
    expect(badPooling.code).toBe(2);
    expect(badPooling.stderr).toMatch(/expected one of last, mean, max, attention, received 'median'/);
    for (const r of [empty, noCheckpoint, noData, badPooling]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});

describe('sentiment baselines (no data needed)', () => {
  it('bag-of-words logistic regression matches the PyTorch L-BFGS reference of the scikit-learn objective', () => {
    // Fixture from test/fixtures/sentiment-logistic.py.
    const ref = JSON.parse(
      readFileSync(new URL('./fixtures/sentiment-logistic.json', import.meta.url), 'utf8'),
    );
    const model = fitLogistic(ref.sentences);
    expect(model.vocabulary).toEqual(ref.vocabulary);
    model.weights.forEach((w, i) => {
      expect(w).toBeCloseTo(ref.weights[i], 4);
    });
    expect(model.bias).toBeCloseTo(ref.bias, 4);
    for (const p of ref.probe) expect(logisticProbability(model, p.text)).toBeCloseTo(p.probability, 5);
  });

  it("tokenizes as CountVectorizer's default analyzer", () => {
    expect(countVectorizerTokens("I didn't like it: A+ Café_2 x")).toEqual(['didn', 'like', 'it', 'café_2']);
  });

  it('cross-validation folds partition the items, seeded', () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    const parts = folds(items, 10, 5);
    expect(parts).toHaveLength(10);
    const tested = parts.flatMap((p) => p.test).sort((a, b) => a - b);
    expect(tested).toEqual(items);
    for (const p of parts) {
      expect(p.train.length + p.test.length).toBe(23);
      expect([2, 3]).toContain(p.test.length);
      expect(p.train.some((x) => p.test.includes(x))).toBe(false);
    }
    expect(folds(items, 10, 5)).toEqual(parts);
    expect(folds(items, 10, 6)).not.toEqual(parts);
  });
});
