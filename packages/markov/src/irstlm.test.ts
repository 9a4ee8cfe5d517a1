// ARPA both ways with IRSTLM (Debian package `irstlm`): Strand reads IRSTLM's 5-gram files, and
// IRSTLM's compile-lm reads Strand's. The committed fixture (test/irstlm/, made by
// peer_irstlm.py) keeps the first direction checked where IRSTLM is not installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { close } from '../test/helpers.js';
import { readArpa } from './arpa-read.js';
import { toArpa } from './arpa-write.js';
import type { NgramLanguageModel } from './ngram-model.js';
import { trainNgramLm } from './ngram-train.js';

const dir = fileURLToPath(new URL('../test/irstlm/', import.meta.url));
const script = join(dir, 'peer_irstlm.py');
const python = '/usr/bin/python3';
const hasIrstlm = existsSync('/usr/lib/irstlm/bin/compile-lm') && existsSync(python);

interface IrstlmScores {
  /** compile-lm --eval: events (words + </s>), perplexity to 2 decimals, OOV words. */
  readonly eval: { readonly events: number; readonly perplexity: number; readonly oov: number };
  /** compile-lm --score: ln P of each word with a full-length context (exact, from hex floats). */
  readonly scores: readonly { readonly ngram: readonly string[]; readonly lnProb: number }[];
}
interface Fixture extends IrstlmScores {
  readonly train: readonly string[][];
  readonly test: readonly string[][];
}

/** ARPA's spelling (what IRSTLM prints) to Strand's vocabulary. */
const fromArpa = (w: string): string => (w === '<s>' ? '<bos>' : w === '</s>' ? '<eos>' : w);

/** Strand's numbers against IRSTLM's for the same model and sentences. */
function expectSameScores(lm: NgramLanguageModel, test: readonly string[][], peer: IrstlmScores): void {
  expect(peer.eval.oov).toBe(0);
  expect(peer.scores.length).toBeGreaterThan(20);
  for (const { ngram, lnProb } of peer.scores) {
    const words = ngram.map(fromArpa);
    // IRSTLM keeps probabilities as float32: about 7 significant digits of each log10 value.
    close(lm.wordLogProb(words.slice(0, -1), words.at(-1)!), lnProb, 2e-6, 1e-6);
  }
  const { perplexity, events } = lm.evaluate(test);
  expect(events).toBe(peer.eval.events);
  // compile-lm prints the perplexity rounded to 2 decimals.
  expect(Math.abs(perplexity - peer.eval.perplexity)).toBeLessThanOrEqual(0.005 + 1e-9);
}

describe('IRSTLM 5-gram ARPA (committed fixture)', async () => {
  const fixture = JSON.parse(await readFile(join(dir, 'irstlm-5gram.json'), 'utf8')) as Fixture;
  const arpa = await readFile(join(dir, 'irstlm-5gram.arpa'));

  it('reads it, clamping the log10 probabilities IRSTLM rounded above 0, and warns', () => {
    const warnings: string[] = [];
    const result = readArpa(arpa, { onWarning: (w) => warnings.push(w) });
    expect(result.model.order).toBe(5);
    expect(result.clampedProbabilities).toBe(1); // "1.00616e-07  sat on a small box"
    expect(warnings).toEqual(['1 log10 probability slightly above 0 (rounding) clamped to 0, as KenLM does']);
    close(result.model.wordLogProb(['sat', 'on', 'a', 'small'], 'box'), 0, 0);
    // Without the tolerance the file is rejected, naming the line.
    expect(() => readArpa(arpa, { positiveTolerance: 0 })).toThrow(
      /ARPA line \d+: log10 probability 1.00616e-07 is above 0/,
    );
  });

  it('gives the probabilities and perplexity IRSTLM gives', () => {
    const { model } = readArpa(arpa);
    expectSameScores(model, fixture.test, fixture);
  });
});

describe.skipIf(!hasIrstlm)('IRSTLM installed: both directions', async () => {
  const fixture = JSON.parse(await readFile(join(dir, 'irstlm-5gram.json'), 'utf8')) as Fixture;

  const irstlmScores = (arpaPath: string, test: readonly string[][]): IrstlmScores => {
    const out = spawnSync(python, [script, 'score', arpaPath], {
      input: JSON.stringify({ test }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.status, out.stderr).toBe(0);
    return JSON.parse(out.stdout) as IrstlmScores;
  };

  it('Strand reads the 5-gram ARPA that IRSTLM builds now (the fixture is what the script makes)', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'strand-irstlm-'));
    try {
      const out = spawnSync(python, [script, 'fixture', tmp], { encoding: 'utf8', timeout: 120_000 });
      expect(out.status, out.stderr).toBe(0);
      const fresh = JSON.parse(await readFile(join(tmp, 'irstlm-5gram.json'), 'utf8')) as Fixture;
      const { model } = readArpa(await readFile(join(tmp, 'irstlm-5gram.arpa')));
      expectSameScores(model, fresh.test, fresh);
      expect(fresh).toEqual(fixture);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 120_000);

  it.each([
    ['modified-kneser-ney', 5, { kind: 'modified-kneser-ney', discountFallback: [0.5, 1, 1.5] }],
    ['kneser-ney', 3, { kind: 'kneser-ney', discount: 0.7 }],
    ['witten-bell', 4, { kind: 'witten-bell' }],
  ] as const)(
    'IRSTLM reads the %s %i-gram ARPA Strand writes and scores it as Strand does',
    async (_name, order, smoothing) => {
      const lm = trainNgramLm(fixture.train, { order, smoothing });
      const tmp = await mkdtemp(join(tmpdir(), 'strand-irstlm-'));
      try {
        const path = join(tmp, 'strand.arpa');
        await writeFile(path, toArpa(lm));
        expectSameScores(lm, fixture.test, irstlmScores(path, fixture.test));
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
