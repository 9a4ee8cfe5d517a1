/**
 * The browser-safe half of `strand translate` (`@strand/cli/translate`, which the playground uses):
 * a checkpoint written by the CLI, read back with `translatorFromCheckpoint`, translates exactly as
 * `strand translate "<sentence>" --checkpoint` does; a checkpoint of another kind is a FormatError.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@strand/backend';
import { FormatError } from '@strand/base';
import { disposeParameters } from '@strand/core';
import { normalizeString, parseEngFra } from '@strand/data';
import { dataPath, hasData } from '@strand/test-utils';
import { decodeCheckpoint } from '@strand/trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCorpus,
  decodeTarget,
  encodeSource,
  greedyBatch,
  translatorFromCheckpoint,
} from '../src/translate.js';
import { runCli } from './run-cli.js';

describe.skipIf(!hasData('eng-fra', 'eng-fra.txt'))(
  '@strand/cli/translate: the shared checkpoint reader',
  () => {
    const out = mkdtempSync(join(tmpdir(), 'strand-translate-format-'));
    const dir = join(out, 'bahdanau', 'checkpoints');
    let json = '';
    let bytes = new Uint8Array();

    beforeAll(async () => {
      await useBackend('cpu');
      const args = ['translate', '--steps', '3', '--limit', '80', '--units', '16', '--embedding', '16'];
      const r = await runCli([...args, '--out', out, '--seed', '3']);
      expect(r.code, r.stderr).toBe(0);
      json = await readFile(join(dir, 'ckpt-000000003.json'), 'utf8');
      bytes = new Uint8Array(await readFile(join(dir, 'ckpt-000000003.safetensors')));
    }, 120_000);

    it('reads what the CLI wrote and translates as `strand translate --checkpoint` does', async () => {
      const t = translatorFromCheckpoint(decodeCheckpoint(json, bytes, { source: 'ckpt.json' }), 'ckpt.json');
      try {
        expect(t.step).toBe(3);
        expect(t.tokenizer).toBe('word');
        expect(t.config).toMatchObject({ kind: 'seq2seq', attention: 'bahdanau', units: 16 });
        // The same split and vocabularies as the CLI's corpus of the first 80 pairs with seed 3.
        const pairs = parseEngFra(await readFile(dataPath('eng-fra', 'eng-fra.txt'), 'utf8'), {
          normalize: true,
        });
        const corpus = buildCorpus(pairs.slice(0, 80), { seed: 3, tokenizer: 'word', bpeVocab: 1000 });
        expect(t.sourceTokenizer.vocabSize).toBe(corpus.sourceTokenizer.vocabSize);
        expect(t.targetTokenizer.vocabSize).toBe(corpus.targetTokenizer.vocabSize);
        const sentence = 'I see.';
        const [ids] = greedyBatch(t.model, [encodeSource(t.sourceTokenizer, normalizeString(sentence))], 30);
        const cli = await runCli(['translate', sentence, '--checkpoint', join(out, 'bahdanau'), '--json']);
        expect(cli.code, cli.stderr).toBe(0);
        const printed = JSON.parse(cli.stdout) as { translation: string };
        expect(decodeTarget(t.targetTokenizer, 'word', ids!)).toBe(printed.translation);
      } finally {
        disposeParameters(t.model.params);
      }
    }, 120_000);

    it('refuses a checkpoint of another kind with a FormatError naming the file', () => {
      const meta = JSON.parse(json) as { model: { kind: string } };
      meta.model.kind = 'language-model';
      const other = decodeCheckpoint(JSON.stringify(meta), bytes, { source: 'lm.json' });
      expect(() => translatorFromCheckpoint(other, 'lm.json')).toThrow(FormatError);
      const again = decodeCheckpoint(JSON.stringify(meta), bytes, { source: 'lm.json' });
      expect(() => translatorFromCheckpoint(again, 'lm.json')).toThrow(
        /lm\.json.*holds a language-model checkpoint, not a strand translate one/,
      );
    });
  },
);
