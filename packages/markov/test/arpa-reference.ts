// A second, deliberately plain ARPA reader for the fuzz tests: strings and maps, no trie. It reads
// what the format defines (https://cmusphinx.github.io/wiki/arpaformat/ plus KenLM's clamping of
// log10 probabilities rounded above 0) and returns every entry as "w1 w2 ... wk" -> [log10 prob,
// log10 backoff]; `modelEntries` turns a parsed model into the same map.
import type { NgramLanguageModel } from '../src/ngram-model.js';

export type ArpaEntries = Record<string, readonly [number, number]>;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(12)) : x);

function decimal(s: string, allowInf: boolean): number {
  if (allowInf && s === '-inf') return Number.NEGATIVE_INFINITY;
  if (!DECIMAL.test(s)) throw new Error(`not a number: ${s}`);
  const v = Number(s);
  if (!Number.isFinite(v) || Math.abs(v) > 1000) throw new Error(`out of range: ${s}`);
  return v;
}

export function referenceArpa(bytes: Uint8Array, positiveTolerance = 1e-6): ArpaEntries {
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  const lines = text.split('\n').map((l) => l.replace(/^[ \t\r]+|[ \t\r]+$/g, ''));
  let i = lines.indexOf('\\data\\');
  if (i < 0) throw new Error('no \\data\\');
  i++;
  const counts: number[] = [];
  while (i < lines.length && lines[i] !== '') {
    const m = /^ngram[ \t]+(\d+)[ \t]*=[ \t]*(\d+)$/.exec(lines[i]!);
    if (!m || Number(m[1]) !== counts.length + 1) throw new Error(`bad count line ${i + 1}`);
    counts.push(Number(m[2]));
    i++;
  }
  if (counts.length === 0 || counts.length > 32) throw new Error('no or too many orders');
  const out: Record<string, [number, number]> = {};
  const unigrams = new Set<string>();
  counts.forEach((count, k0) => {
    const k = k0 + 1;
    while (i < lines.length && lines[i] === '') i++;
    if (lines[i] !== `\\${k}-grams:`) throw new Error(`no section ${k}`);
    i++;
    let n = 0;
    for (; i < lines.length && lines[i] !== '' && !lines[i]!.startsWith('\\'); i++, n++) {
      const f = lines[i]!.split(/[ \t]+/);
      const hasBackoff = f.length === k + 2;
      if (f.length !== k + 1 && !(hasBackoff && k < counts.length))
        throw new Error(`bad fields line ${i + 1}`);
      let p = decimal(f[0]!, true);
      if (p > 0) {
        if (p > positiveTolerance) throw new Error('positive probability');
        p = 0;
      }
      const words = f.slice(1, k + 1);
      for (const w of words) {
        if (w === '<pad>' || w === '<bos>' || w === '<eos>') throw new Error('reserved word');
        if (k > 1 && !unigrams.has(w)) throw new Error('unknown word');
      }
      const key = words.join(' ');
      if (key in out) throw new Error('duplicate');
      if (k === 1) unigrams.add(key);
      out[key] = [round(p), round(hasBackoff ? decimal(f[k + 1]!, false) : 0)];
    }
    if (n !== count) throw new Error(`count of ${k}-grams`);
  });
  while (i < lines.length && lines[i] === '') i++;
  if (lines[i] !== '\\end\\') throw new Error('no \\end\\');
  if (lines.slice(i + 1).some((l) => l !== '')) throw new Error('text after \\end\\');
  if (!unigrams.has('<s>') || !unigrams.has('</s>')) throw new Error('no <s> or </s>');
  if (!unigrams.has('<unk>')) out['<unk>'] = [-100, 0];
  return out;
}

/** Every real (non-blank) n-gram of a model, in ARPA spelling, as `referenceArpa` returns them. */
export function modelEntries(lm: NgramLanguageModel): ArpaEntries {
  const { levels, logProb, backoff } = lm.data;
  const spell = (id: number): string => {
    const t = lm.vocabulary.token(id);
    return t === '<bos>' ? '<s>' : t === '<eos>' ? '</s>' : t;
  };
  const out: Record<string, [number, number]> = {};
  levels.forEach((level, k0) => {
    for (let id = k0 === 0 ? 1 : 0; id < level.size; id++) {
      const lp = logProb[k0]![id]!;
      if (Number.isNaN(lp)) continue;
      const words: string[] = [];
      let cur = id;
      for (let k = k0; k > 0; k--) {
        words.push(spell(levels[k]!.first[cur]!));
        cur = levels[k]!.back[cur]!;
      }
      words.push(spell(cur));
      out[words.join(' ')] = [round(lp / Math.LN10), round(backoff[k0]![id]! / Math.LN10)];
    }
  });
  return out;
}
