/**
 * Reads ARPA backoff language models (KenLM's lmplz, SRILM, IRSTLM output). Missing `<unk>` is
 * added with log10 probability -100, as KenLM does; n-grams whose suffixes are missing (pruned
 * models) get blank entries that carry no probability, so queries back off past them.
 */
import { ArpaParseError } from './errors.js';
import { NgramLevel } from './ngram-level.js';
import { NgramLanguageModel } from './ngram-model.js';
import { BOS, EOS, UNK, Vocabulary } from './vocabulary.js';

export interface ArpaReadOptions {
  /** Called for recoverable oddities (a missing `<unk>`). */
  readonly onWarning?: (message: string) => void;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export function parseArpa(text: string, options: ArpaReadOptions = {}): NgramLanguageModel {
  const lines = text.split(/\r?\n/);
  let i = 0;
  const fail = (message: string, line = i + 1): never => {
    throw new ArpaParseError(line, message);
  };
  const num = (s: string, what: string): number => {
    if (s === '-inf' || s === '-Infinity') return Number.NEGATIVE_INFINITY;
    if (!NUMBER.test(s)) fail(`${what} "${s}" is not a number`);
    return Number(s);
  };
  while (i < lines.length && lines[i]!.trim() !== '\\data\\') i++;
  if (i === lines.length) fail('no "\\data\\" line: this is not an ARPA file', 0);
  i++;
  const declared: number[] = [];
  for (; i < lines.length && lines[i]!.trim() !== ''; i++) {
    const m = /^ngram\s+(\d+)\s*=\s*(\d+)\s*$/.exec(lines[i]!.trim());
    if (!m) fail(`expected a count line "ngram N=COUNT", got "${lines[i]}"`);
    if (Number(m![1]) !== declared.length + 1) {
      fail(
        `n-gram orders must be consecutive from 1: expected ngram ${declared.length + 1}, got ngram ${m![1]}`,
      );
    }
    declared.push(Number(m![2]));
  }
  if (declared.length === 0) fail('no "ngram N=COUNT" lines after \\data\\');
  const order = declared.length;
  const levels: NgramLevel[] = [];
  const logProb: number[][] = [];
  const backoff: number[][] = [];
  let vocabulary: Vocabulary | null = null;

  for (let k = 1; k <= order; k++) {
    while (i < lines.length && lines[i]!.trim() === '') i++;
    if (i === lines.length) fail(`missing the "\\${k}-grams:" section`, 0);
    if (lines[i]!.trim() !== `\\${k}-grams:`) fail(`expected "\\${k}-grams:", got "${lines[i]}"`);
    i++;
    const start = i;
    const rows: { fields: string[]; line: number }[] = [];
    for (; i < lines.length; i++) {
      const t = lines[i]!.trim();
      if (t === '' || t.startsWith('\\')) break;
      const fields = t.split(/\s+/);
      if (fields.length !== k + 1 && fields.length !== k + 2) {
        fail(
          `a ${k}-gram line needs a probability, ${k} word${k > 1 ? 's' : ''} and an optional backoff; got ${fields.length} fields`,
        );
      }
      if (fields.length === k + 2 && k === order)
        fail(`backoff "${fields[k + 1]}" given for a highest-order ${k}-gram`);
      rows.push({ fields, line: i + 1 });
    }
    if (rows.length !== declared[k - 1]) {
      fail(
        `the header declares ngram ${k}=${declared[k - 1]} but the section has ${rows.length} entries`,
        start,
      );
    }
    if (k === 1) {
      const words = rows.map((r) => r.fields[1]!);
      const seen = new Set<string>();
      for (const [j, w] of words.entries()) {
        if (seen.has(w)) fail(`duplicate 1-gram "${w}"`, rows[j]!.line);
        seen.add(w);
      }
      for (const special of [BOS, EOS])
        if (!seen.has(special)) fail(`the 1-grams have no "${special}"`, start);
      if (!seen.has(UNK))
        options.onWarning?.(
          'the ARPA file has no <unk>; adding it with log10 probability -100, as KenLM does',
        );
      vocabulary = new Vocabulary([
        UNK,
        BOS,
        EOS,
        ...words.filter((w) => w !== UNK && w !== BOS && w !== EOS),
      ]);
      levels.push(new NgramLevel(vocabulary.size, true));
      const lp = new Array<number>(vocabulary.size).fill(-100 * Math.LN10);
      const bo = new Array<number>(vocabulary.size).fill(0);
      for (const r of rows) {
        i = r.line - 1;
        const id = vocabulary.id(r.fields[1]!);
        lp[id] = readProb(num(r.fields[0]!, 'probability'), fail);
        if (r.fields.length === 3) bo[id] = num(r.fields[2]!, 'backoff') * Math.LN10;
      }
      logProb.push(lp);
      backoff.push(bo);
      i = rows[rows.length - 1]!.line;
      continue;
    }
    const vocab = vocabulary!;
    const level = new NgramLevel(rows.length);
    levels.push(level);
    const lp: number[] = [];
    const bo: number[] = [];
    logProb.push(lp);
    backoff.push(bo);
    const ids = new Int32Array(k);
    for (const r of rows) {
      i = r.line - 1;
      for (let j = 0; j < k; j++) {
        const w = r.fields[1 + j]!;
        if (!vocab.has(w)) fail(`word "${w}" of this ${k}-gram is not among the 1-grams`);
        ids[j] = vocab.id(w);
      }
      // Suffix chain w_k, w_{k-1} w_k, ..., w2..wk; missing suffixes become blanks.
      let back = ids[k - 1]!;
      for (let j = 2; j < k; j++) {
        const lower = levels[j - 1]!;
        const before = lower.size;
        back = lower.insert(back, ids[k - j]!);
        if (lower.size > before) {
          logProb[j - 1]!.push(Number.NaN);
          backoff[j - 1]!.push(0);
        }
      }
      const before = level.size;
      const id = level.insert(back, ids[0]!);
      if (level.size === before) fail(`duplicate ${k}-gram "${r.fields.slice(1, k + 1).join(' ')}"`);
      lp[id] = readProb(num(r.fields[0]!, 'probability'), fail);
      bo[id] = r.fields.length === k + 2 ? num(r.fields[k + 1]!, 'backoff') * Math.LN10 : 0;
    }
    i = rows.length > 0 ? rows[rows.length - 1]!.line : start;
  }
  while (i < lines.length && lines[i]!.trim() === '') i++;
  if (i === lines.length || lines[i]!.trim() !== '\\end\\') {
    fail(
      i === lines.length
        ? 'missing "\\end\\" at the end of the file'
        : `expected "\\end\\", got "${lines[i]}"`,
      i === lines.length ? 0 : i + 1,
    );
  }
  return new NgramLanguageModel({
    order,
    vocabulary: vocabulary!,
    smoothing: { kind: 'arpa' },
    levels,
    logProb: logProb.map((a) => Float64Array.from(a)),
    backoff: backoff.map((a) => Float64Array.from(a)),
    queryKind: 'backoff',
  });
}

function readProb(log10: number, fail: (m: string) => never): number {
  if (log10 > 0) fail(`log10 probability ${log10} is above 0`);
  return log10 * Math.LN10;
}
