// Compares n-gram counting and maximum-likelihood estimates with nltk (Debian python3-nltk),
// when it is installed. nltk's Laplace, Witten-Bell and Kneser-Ney are not compared: its
// vocabulary counts <s>, its unigram level has no uniform floor, and its lower-order Kneser-Ney
// gamma uses a different normaliser, so the numbers differ by design (see the README).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng } from '@strand/base';
import { describe, expect, it } from 'vitest';
import { close } from '../test/helpers.js';
import { countNgrams } from './ngram-counts.js';
import { trainNgramLm } from './ngram-train.js';

const python = '/usr/bin/python3';
const hasNltk = spawnSync(python, ['-c', 'import nltk'], { stdio: 'ignore' }).status === 0;

describe('against nltk', () => {
  it.skipIf(!hasNltk)(
    'counts n-grams and estimates MLE probabilities exactly as nltk (needs /usr/bin/python3 with nltk)',
    () => {
      const rng = new Rng(21);
      const sentences = Array.from({ length: 200 }, () =>
        Array.from({ length: 1 + rng.int(6) }, () => `w${rng.int(15)}`),
      );
      const order = 3;
      const test = sentences.slice(0, 20);
      const script = fileURLToPath(new URL('../test/peer_nltk_counts.py', import.meta.url));
      const out = spawnSync(python, [script], {
        input: JSON.stringify({ sentences, order, test }),
        encoding: 'utf8',
      });
      expect(out.status, out.stderr).toBe(0);
      const peer = JSON.parse(out.stdout) as {
        counts: Record<string, number>;
        probs: Record<string, number>;
        perplexity: number;
      };

      // nltk spells the boundaries <s> and </s>, Strand's vocabulary <bos> and <eos>
      const spell = (t: string): string => (t === '<bos>' ? '<s>' : t === '<eos>' ? '</s>' : t);
      const unspell = (t: string): string => (t === '<s>' ? '<bos>' : t === '</s>' ? '<eos>' : t);
      const lm = trainNgramLm(sentences, { order, smoothing: { kind: 'mle' } });
      const counted = countNgrams(
        sentences.map((x) => lm.vocabulary.encode(x)),
        order,
        lm.vocabulary.size,
      );
      const words = (k: number, id: number): string[] => {
        const level = counted.levels[k - 1]!;
        return k === 1
          ? [spell(lm.vocabulary.token(id))]
          : [spell(lm.vocabulary.token(level.first[id]!)), ...words(k - 1, level.back[id]!)];
      };
      const ours: Record<string, number> = {};
      for (let k = 1; k <= order; k++) {
        for (let id = 0; id < counted.levels[k - 1]!.size; id++) {
          const c = counted.counts[k - 1]![id]!;
          if (c > 0) ours[words(k, id).join(' ')] = c;
        }
      }
      expect(ours).toEqual(peer.counts);
      for (const [key, p] of Object.entries(peer.probs)) {
        const w = key.split(' ');
        close(Math.exp(lm.wordLogProb(w.slice(0, -1).map(unspell), unspell(w.at(-1)!))), p, 1e-15);
      }
      close(lm.perplexity(test), peer.perplexity, 0, 1e-12);
    },
  );
});
