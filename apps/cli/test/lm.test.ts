import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasData } from '@strand/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const tiny = [
  '--limit',
  '40000',
  '--units',
  '32',
  '--embedding',
  '16',
  '--context',
  '32',
  '--batch',
  '8',
  '--eval-every',
  '10',
  '--length',
  '40',
];

describe.skipIf(!hasData('tinyshakespeare', 'input.txt'))('strand lm', () => {
  it('ngram: the baseline alone, with a sane --json result', async () => {
    const r = await runCli([
      'lm',
      '--model',
      'ngram',
      '--json',
      '--limit',
      '40000',
      '--out',
      mkdtempSync(join(tmpdir(), 'lm-ng-')),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.command).toBe('lm');
    expect(result.model).toBe('ngram');
    expect(result.validation.natsPerChar).toBe(result.baselines.ngram.natsPerChar);
    // The 5-gram is far below the unigram floor, and the floor below uniform over the characters.
    expect(result.baselines.ngram.natsPerChar).toBeLessThan(result.baselines.unigram.natsPerChar - 1);
    expect(result.baselines.unigram.natsPerChar).toBeLessThan(Math.log(65));
  });

  it('lstm: trains, beats the uniform baseline, samples, resumes and samples from its checkpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lm-lstm-'));
    const first = await runCli([
      'lm',
      '--json',
      ...tiny,
      '--steps',
      '20',
      '--out',
      out,
      '--lr',
      '0.01',
      '--warmup',
      '2',
    ]);
    expect(first.code, first.stderr).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a.steps).toBe(20);
    expect(Number.isFinite(a.validation.natsPerChar)).toBe(true);
    expect(a.validation.natsPerChar).toBeLessThan(Math.log(a.config.vocabSize)); // below uniform
    expect(a.validation.bitsPerChar).toBeCloseTo(a.validation.natsPerChar / Math.LN2, 10);
    expect(a.sampleTokens).toBe(40);
    expect(a.sample.length).toBeLessThanOrEqual(40);
    expect(a.curve.length).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThan(20);
    expect(first.stderr).toContain('baseline 5-gram');

    // --resume continues from step 20 to 30 in the same folder.
    const second = await runCli([
      'lm',
      '--json',
      ...tiny,
      '--steps',
      '30',
      '--out',
      out,
      '--lr',
      '0.01',
      '--warmup',
      '2',
      '--resume',
    ]);
    expect(second.code, second.stderr).toBe(0);
    const b = JSON.parse(second.stdout);
    expect(b.steps).toBe(30);

    const sampled = await runCli([
      'lm',
      'sample',
      '--checkpoint',
      out,
      '--prompt',
      'ROMEO:',
      '--length',
      '25',
      '--json',
      '--seed',
      '3',
    ]);
    expect(sampled.code, sampled.stderr).toBe(0);
    const s = JSON.parse(sampled.stdout);
    expect(s.step).toBe(30);
    expect(s.tokens).toBe(25);
    const again = await runCli([
      'lm',
      'sample',
      '--checkpoint',
      out,
      '--prompt',
      'ROMEO:',
      '--length',
      '25',
      '--json',
      '--seed',
      '3',
    ]);
    expect(JSON.parse(again.stdout).text).toBe(s.text); // seeded sampling is reproducible

    const bad = await runCli(['lm', 'sample', '--checkpoint', out, '--prompt', 'ROMEO€']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not in the model's vocabulary/);
  }, 300_000);

  it('transformer: trains a few steps and samples past its context length', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lm-tf-'));
    const args = [
      'lm',
      '--model',
      'transformer',
      '--json',
      '--limit',
      '20000',
      '--layers',
      '1',
      '--units',
      '16',
      '--heads',
      '2',
    ];
    const r = await runCli([
      ...args,
      '--context',
      '12',
      '--batch',
      '4',
      '--steps',
      '4',
      '--eval-every',
      '4',
      '--warmup',
      '1',
      '--length',
      '40',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.config.kind).toBe('transformer');
    expect(result.sampleTokens).toBe(40); // 40 > context 12: generated in windows
    expect(result.sample.length).toBeLessThanOrEqual(40); // special tokens print nothing
    expect(Number.isFinite(result.validation.natsPerChar)).toBe(true);
  }, 300_000);

  it('missing data and missing checkpoints give one clear line', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-data-'));
    const r = await runCli(['lm', '--model', 'ngram', '--data-dir', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tinyshakespeare/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const c = await runCli(['lm', 'sample', '--checkpoint', empty]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/no checkpoint found/);
  });
});
