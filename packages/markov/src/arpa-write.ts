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
 * Probabilities and backoffs are base-10 logs. Strand's `<bos>`, `<eos>`, `<unk>` are written as
 * ARPA's `<s>`, `</s>`, `<unk>`; `<pad>` is not written. `<s>` is never predicted and gets -99, as
 * SRILM and KenLM write it. Backoffs are written for n-grams that are contexts. Each order is
 * written in trie order (grouped by context), which IRSTLM's reader requires.
 */
import { BOS, EOS, InputError, PAD_ID, UNK } from '@strand/base';
import type { NgramLanguageModel } from './ngram-model.js';

export interface ArpaWriteOptions {
  /** Significant digits of each number. Default 10 (KenLM writes about 7). */
  readonly digits?: number;
}

/** Strand's special tokens as ARPA spells them. */
const TO_ARPA = new Map([
  [UNK, '<unk>'],
  [BOS, '<s>'],
  [EOS, '</s>'],
]);
const ARPA_SPECIAL = new Set(['<s>', '</s>', '<unk>']);

const ARPA_KINDS = new Set(['witten-bell', 'kneser-ney', 'modified-kneser-ney', 'arpa']);

export function toArpa(lm: NgramLanguageModel, { digits = 10 }: ArpaWriteOptions = {}): string {
  if (!ARPA_KINDS.has(lm.smoothing.kind)) {
    throw new InputError({
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
  // ARPA spelling of each vocabulary word; `<pad>` is never predicted and is not written.
  const spelled = tokens.map((t, id) => {
    const arpa = TO_ARPA.get(t);
    if (arpa !== undefined) return arpa;
    if (ARPA_SPECIAL.has(t) || /[ \t\r\n]/.test(t) || t === '') {
      throw new InputError({
        what: `vocabulary word ${id}`,
        expected:
          'a word that ARPA can store (no whitespace, not <s> or </s>, which ARPA reserves for boundaries)',
        received: JSON.stringify(t),
      });
    }
    return t;
  });
  // Words of every written n-gram, k-grams as flat arrays of k ids (w1 .. wk).
  const written: Int32Array[] = [];
  for (let k = 1; k <= order; k++) {
    const level = levels[k - 1]!;
    const lp = logProb[k - 1]!;
    const ids: number[] = [];
    for (let id = 0; id < level.size; id++) {
      if (Number.isNaN(lp[id]!) || (k === 1 && id === PAD_ID)) continue;
      ids.push(id);
    }
    written.push(Int32Array.from(ids));
  }
  const out: string[] = ['\\data\\'];
  for (const [k, ids] of written.entries()) out.push(`ngram ${k + 1}=${ids.length}`);
  // Within each order, n-grams in lexicographic order of their words (by position among the
  // written unigrams): every context's n-grams are contiguous and the contexts come in the order
  // of the level below, the trie order that SRILM, KenLM and IRSTLM write. IRSTLM's reader
  // needs it: it finds a context's successors as one contiguous range.
  const rank = new Int32Array(tokens.length);
  written[0]!.forEach((w, r) => {
    rank[w] = r;
  });
  for (let k = 1; k <= order; k++) {
    const lp = logProb[k - 1]!;
    const bo = backoff[k - 1]!;
    const ctx = isContext[k - 1];
    const ids = written[k - 1]!;
    const words = new Int32Array(ids.length * k); // words of the i-th n-gram at [i*k, i*k + k)
    ids.forEach((id, i) => {
      let cur = id;
      for (let j = 0; j < k - 1; j++) {
        words[i * k + j] = levels[k - 1 - j]!.first[cur]!;
        cur = levels[k - 1 - j]!.back[cur]!;
      }
      words[i * k + k - 1] = cur;
    });
    const orderIdx = Array.from(ids.keys());
    orderIdx.sort((a, b) => {
      for (let j = 0; j < k; j++) {
        const d = rank[words[a * k + j]!]! - rank[words[b * k + j]!]!;
        if (d !== 0) return d;
      }
      return 0;
    });
    out.push('', `\\${k}-grams:`);
    for (const i of orderIdx) {
      const id = ids[i]!;
      const text = Array.from(words.subarray(i * k, i * k + k), (w) => spelled[w]!).join(' ');
      const prob = Math.min(0, lp[id]!); // rounding above 0 (as KenLM clamps)
      const b = k < order && (ctx![id] === 1 || bo[id] !== 0) ? `\t${fmt(bo[id]!)}` : '';
      out.push(`${fmt(prob)}\t${text}${b}`);
    }
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
