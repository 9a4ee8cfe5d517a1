/**
 * Writes backoff language models in the ARPA text format that KenLM, SRILM and others read:
 *
 *   \data\
 *   ngram 1=<count>
 *   ...
 *
 *   \1-grams:
 *   <log10 prob>\t<word>\t<log10 backoff>
 *   ...
 *   \end\
 *
 * Probabilities and backoffs are base-10 logs. `<s>` is never predicted and gets -99, as SRILM
 * and KenLM write it. Backoffs are written for n-grams that are contexts.
 */
import { MarkovInputError } from './errors.js';
import type { NgramLanguageModel } from './ngram-model.js';

export interface ArpaWriteOptions {
  /** Significant digits of each number. Default 10 (KenLM writes about 7). */
  readonly digits?: number;
}

const ARPA_KINDS = new Set(['witten-bell', 'kneser-ney', 'modified-kneser-ney', 'arpa']);

export function toArpa(lm: NgramLanguageModel, { digits = 10 }: ArpaWriteOptions = {}): string {
  if (!ARPA_KINDS.has(lm.smoothing.kind)) {
    throw new MarkovInputError({
      what: 'model smoothing for ARPA export',
      expected:
        'a normalised backoff model (witten-bell, kneser-ney, modified-kneser-ney, or one read from ARPA)',
      received: lm.smoothing.kind,
      hint:
        lm.smoothing.kind === 'add-k'
          ? 'add-k gives unseen words a uniform share, which the backoff form cannot store'
          : 'this method gives zero or unnormalised scores that the ARPA backoff form cannot store',
    });
  }
  const { levels, logProb, backoff } = lm.data;
  const order = levels.length;
  const tokens = lm.vocabulary.tokens;
  const fmt = (lnValue: number): string => {
    if (lnValue === Number.NEGATIVE_INFINITY) return '-99';
    const v = lnValue / Math.LN10;
    const s = String(Number(v.toPrecision(digits)));
    return s === '-0' ? '0' : s;
  };
  // An n-gram is a context when some (n+1)-gram has it as prefix: mark them.
  const isContext: Uint8Array[] = levels.map((l) => new Uint8Array(l.size));
  for (let k = 2; k <= order; k++) {
    const level = levels[k - 1]!;
    const lp = logProb[k - 1]!;
    for (let id = 0; id < level.size; id++) {
      if (Number.isNaN(lp[id]!)) continue;
      markPrefix(lm, k, id, isContext[k - 2]!);
    }
  }
  const counts: number[] = [];
  for (let k = 1; k <= order; k++) {
    let n = 0;
    const lp = logProb[k - 1]!;
    for (let id = 0; id < levels[k - 1]!.size; id++) if (!Number.isNaN(lp[id]!)) n++;
    counts.push(n);
  }
  const out: string[] = ['\\data\\'];
  for (const [k, n] of counts.entries()) out.push(`ngram ${k + 1}=${n}`);
  let names: string[] = tokens as string[];
  for (let k = 1; k <= order; k++) {
    out.push('', `\\${k}-grams:`);
    const level = levels[k - 1]!;
    const lp = logProb[k - 1]!;
    const bo = backoff[k - 1]!;
    const ctx = isContext[k - 1];
    const here: string[] = k === 1 ? names : new Array<string>(level.size);
    for (let id = 0; id < level.size; id++) {
      const text = k === 1 ? tokens[id]! : `${tokens[level.first[id]!]!} ${names[level.back[id]!]!}`;
      if (k > 1) here[id] = text;
      if (Number.isNaN(lp[id]!)) continue;
      const prob = Math.min(0, lp[id]!); // rounding above 0 (as KenLM clamps)
      const b = k < order && (ctx![id] === 1 || bo[id] !== 0) ? `\t${fmt(bo[id]!)}` : '';
      out.push(`${fmt(prob)}\t${text}${b}`);
    }
    names = here;
  }
  out.push('', '\\end\\', '');
  return out.join('\n');
}

/** Marks the (k-1)-gram prefix of k-gram id: found by walking the words, since the trie is keyed by suffix. */
function markPrefix(lm: NgramLanguageModel, k: number, id: number, marks: Uint8Array): void {
  const levels = lm.data.levels;
  const words: number[] = [];
  let cur = id;
  for (let j = k; j >= 2; j--) {
    words.push(levels[j - 1]!.first[cur]!);
    cur = levels[j - 1]!.back[cur]!;
  }
  words.push(cur); // words = w1 .. wk
  // prefix w1 .. w_{k-1}: start from w_{k-1} and extend leftwards
  let pid = words[k - 2]!;
  for (let j = 2; j <= k - 1; j++) {
    pid = levels[j - 1]!.find(pid, words[k - 1 - j]!);
    if (pid < 0) return;
  }
  marks[pid] = 1;
}
