/**
 * Reads ARPA backoff language models (KenLM's lmplz, SRILM, IRSTLM output), strictly: every
 * problem is an ArpaParseError naming the line (or the byte offset of invalid UTF-8).
 *
 * - Words: ARPA's `<s>`, `</s>`, `<unk>` become Strand's `<bos>`, `<eos>`, `<unk>` (ids 2, 3, 1;
 *   see packages/base/README.md). `<pad>`, `<bos>` and `<eos>` are reserved and rejected as words.
 * - Numbers: strict decimals (no hex, NaN, Infinity, `1e999`); `-inf` is accepted for a
 *   probability (log 0). Log10 probabilities must be <= 0; values rounded slightly above 0 (up to
 *   `positiveTolerance`, IRSTLM writes up to ~2e-7) are clamped to 0 and counted, as KenLM does.
 *   Values beyond +-1000 are rejected (a backoff of 1e300 would make every perplexity 0).
 * - Missing `<unk>` is added with log10 probability -100, as KenLM does; n-grams whose suffixes are
 *   missing (pruned models) get blank entries that carry no probability, so queries back off past them.
 */
import { BOS, decodeUtf8, EOS, type FormatError, parseDecimal, UNK, Vocabulary } from '@strand/base';
import { ArpaParseError } from './errors.js';
import { NgramLevel } from './ngram-level.js';
import { NgramLanguageModel } from './ngram-model.js';

export interface ArpaReadOptions {
  /** Called once per kind of recoverable oddity (a missing `<unk>`, clamped probabilities). */
  readonly onWarning?: (message: string) => void;
  /** File name for messages. */
  readonly source?: string;
  /** Largest log10 probability above 0 that is clamped to 0 instead of rejected. Default 1e-6. */
  readonly positiveTolerance?: number;
}

export interface ArpaReadResult {
  readonly model: NgramLanguageModel;
  /** Log10 probabilities in (0, positiveTolerance] that were clamped to 0. */
  readonly clampedProbabilities: number;
  /** True when the file had no `<unk>` and one was added at log10 -100. */
  readonly addedUnk: boolean;
  /** The warnings, as sentences (also passed to `onWarning`). */
  readonly warnings: readonly string[];
}

/** Highest n-gram order accepted (KenLM's default build stops at 6; SRILM allows more). */
export const ARPA_MAX_ORDER = 32;
/** Largest absolute log10 value accepted for a probability or backoff. */
export const ARPA_MAX_MAGNITUDE = 1000;

/** ARPA's spelling of Strand's special tokens, and back. */
const FROM_ARPA = new Map([
  ['<s>', BOS],
  ['</s>', EOS],
  ['<unk>', UNK],
]);
const RESERVED = new Set(['<pad>', BOS, EOS]);

/** Reads an ARPA model from text or UTF-8 bytes. */
export function parseArpa(input: string | Uint8Array, options: ArpaReadOptions = {}): NgramLanguageModel {
  return readArpa(input, options).model;
}

/** Reads an ARPA model and reports what was repaired (clamped probabilities, an added `<unk>`). */
export function readArpa(input: string | Uint8Array, options: ArpaReadOptions = {}): ArpaReadResult {
  const source = options.source;
  const tolerance = options.positiveTolerance ?? 1e-6;
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = decodeUtf8(input, { format: 'ARPA', source });
    } catch (e) {
      const f = e as FormatError;
      throw new ArpaParseError(f.reason, { byteOffset: f.byteOffset, source }, { cause: e });
    }
  }
  const lines = text.split('\n');
  let i = 0;
  const fail = (message: string, line = i + 1): never => {
    throw new ArpaParseError(message, { line, source });
  };
  const trim = (s: string): string => s.replace(/^[ \t\r]+|[ \t\r]+$/g, '');
  let clamped = 0;
  const prob = (s: string): number => {
    if (s === '-inf') return Number.NEGATIVE_INFINITY;
    const v = parseDecimal(s);
    if (v === undefined) fail(`probability ${quote(s)} is not a decimal number`);
    if (v! > 0) {
      if (v! > tolerance) fail(`log10 probability ${s} is above 0`);
      clamped++;
      return 0;
    }
    if (v! < -ARPA_MAX_MAGNITUDE) fail(`log10 probability ${s} is below -${ARPA_MAX_MAGNITUDE}`);
    return v! * Math.LN10;
  };
  const backoffOf = (s: string): number => {
    const v = parseDecimal(s);
    if (v === undefined) fail(`backoff ${quote(s)} is not a finite decimal number`);
    if (Math.abs(v!) > ARPA_MAX_MAGNITUDE)
      fail(`log10 backoff ${s} is outside [-${ARPA_MAX_MAGNITUDE}, ${ARPA_MAX_MAGNITUDE}]`);
    return v! * Math.LN10;
  };

  while (i < lines.length && trim(lines[i]!) !== '\\data\\') i++;
  if (i === lines.length) fail('no "\\data\\" line: this is not an ARPA file', 0);
  i++;
  const declared: number[] = [];
  for (; i < lines.length && trim(lines[i]!) !== ''; i++) {
    const m = /^ngram[ \t]+(\d{1,9})[ \t]*=[ \t]*(\d{1,15})$/.exec(trim(lines[i]!));
    if (!m) fail(`expected a count line "ngram N=COUNT", got ${quote(lines[i]!)}`);
    if (Number(m![1]) !== declared.length + 1) {
      fail(
        `n-gram orders must be consecutive from 1: expected ngram ${declared.length + 1}, got ngram ${m![1]}`,
      );
    }
    if (declared.length === ARPA_MAX_ORDER) fail(`n-gram order above ${ARPA_MAX_ORDER}`);
    const count = Number(m![2]);
    // Each entry takes a line: a count beyond the lines left is false, whatever it claims.
    if (count > lines.length - i)
      fail(`ngram ${m![1]}=${count} declares more entries than the file has lines`);
    declared.push(count);
  }
  if (declared.length === 0) fail('no "ngram N=COUNT" lines after \\data\\');
  const order = declared.length;
  const levels: NgramLevel[] = [];
  const logProb: number[][] = [];
  const backoff: number[][] = [];
  let vocabulary: Vocabulary | null = null;
  const warnings: string[] = [];
  let addedUnk = false;

  for (let k = 1; k <= order; k++) {
    while (i < lines.length && trim(lines[i]!) === '') i++;
    if (i === lines.length) fail(`missing the "\\${k}-grams:" section`, 0);
    if (trim(lines[i]!) !== `\\${k}-grams:`) fail(`expected "\\${k}-grams:", got ${quote(lines[i]!)}`);
    i++;
    const start = i;
    const rows: { fields: string[]; line: number }[] = [];
    for (; i < lines.length; i++) {
      const t = trim(lines[i]!);
      if (t === '' || t.startsWith('\\')) break;
      const fields = t.split(/[ \t]+/);
      if (fields.length !== k + 1 && fields.length !== k + 2) {
        fail(
          `a ${k}-gram line needs a probability, ${k} word${k > 1 ? 's' : ''} and an optional backoff; got ${fields.length} fields`,
        );
      }
      if (fields.length === k + 2 && k === order)
        fail(`backoff ${quote(fields[k + 1]!)} given for a highest-order ${k}-gram`);
      for (let j = 1; j <= k; j++) {
        if (RESERVED.has(fields[j]!)) {
          fail(
            `the word ${fields[j]} is reserved by Strand's vocabulary convention (ARPA spells sentence boundaries <s> and </s>)`,
          );
        }
      }
      rows.push({ fields, line: i + 1 });
      if (rows.length > declared[k - 1]!) break;
    }
    if (rows.length !== declared[k - 1]) {
      fail(
        `the header declares ngram ${k}=${declared[k - 1]} but the section has ${rows.length > declared[k - 1]! ? 'more' : rows.length} entries`,
        start,
      );
    }
    const word = (w: string): string => FROM_ARPA.get(w) ?? w;
    if (k === 1) {
      const words = rows.map((r) => word(r.fields[1]!));
      const seen = new Set<string>();
      for (const [j, w] of words.entries()) {
        if (seen.has(w)) fail(`duplicate 1-gram ${quote(rows[j]!.fields[1]!)}`, rows[j]!.line);
        seen.add(w);
      }
      if (!seen.has(BOS)) fail('the 1-grams have no "<s>"', start);
      if (!seen.has(EOS)) fail('the 1-grams have no "</s>"', start);
      if (!seen.has(UNK)) {
        addedUnk = true;
        warnings.push('the ARPA file has no <unk>; adding it with log10 probability -100, as KenLM does');
      }
      vocabulary = new Vocabulary([
        '<pad>',
        UNK,
        BOS,
        EOS,
        ...words.filter((w) => w !== UNK && w !== BOS && w !== EOS),
      ]);
      levels.push(new NgramLevel(vocabulary.size, true));
      const lp = new Array<number>(vocabulary.size).fill(-100 * Math.LN10);
      lp[0] = Number.NEGATIVE_INFINITY; // <pad> is never predicted
      const bo = new Array<number>(vocabulary.size).fill(0);
      for (const r of rows) {
        i = r.line - 1;
        const id = vocabulary.id(word(r.fields[1]!));
        lp[id] = prob(r.fields[0]!);
        if (r.fields.length === 3) bo[id] = backoffOf(r.fields[2]!);
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
        const w = word(r.fields[1 + j]!);
        if (!vocab.has(w) || (addedUnk && w === UNK)) {
          fail(`word ${quote(r.fields[1 + j]!)} of this ${k}-gram is not among the 1-grams`);
        }
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
      if (level.size === before) {
        // A blank made earlier by a longer n-gram gets its values now; a real entry twice is an error.
        if (!Number.isNaN(lp[id]!)) fail(`duplicate ${k}-gram ${quote(r.fields.slice(1, k + 1).join(' '))}`);
      }
      lp[id] = prob(r.fields[0]!);
      bo[id] = r.fields.length === k + 2 ? backoffOf(r.fields[k + 1]!) : 0;
    }
    i = rows.length > 0 ? rows[rows.length - 1]!.line : start;
  }
  while (i < lines.length && trim(lines[i]!) === '') i++;
  if (i === lines.length) fail('missing "\\end\\" at the end of the file', 0);
  if (trim(lines[i]!) !== '\\end\\') fail(`expected "\\end\\", got ${quote(lines[i]!)}`);
  for (let j = i + 1; j < lines.length; j++) {
    if (trim(lines[j]!) !== '') fail(`unexpected text after "\\end\\": ${quote(lines[j]!)}`, j + 1);
  }
  if (clamped > 0) {
    warnings.push(
      `${clamped} log10 probabilit${clamped === 1 ? 'y' : 'ies'} slightly above 0 (rounding) clamped to 0, as KenLM does`,
    );
  }
  for (const w of warnings) options.onWarning?.(w);
  const model = new NgramLanguageModel({
    order,
    vocabulary: vocabulary!,
    smoothing: { kind: 'arpa' },
    levels,
    logProb: logProb.map((a) => Float64Array.from(a)),
    backoff: backoff.map((a) => Float64Array.from(a)),
    queryKind: 'backoff',
  });
  return { model, clampedProbabilities: clamped, addedUnk, warnings };
}

/** Quoted as written (cut at 60 characters), control characters escaped: messages stay one readable line. */
function quote(s: string): string {
  let out = '';
  for (const ch of s.length > 60 ? `${s.slice(0, 60)}...` : s) {
    const c = ch.charCodeAt(0);
    out += c < 0x20 || c === 0x7f ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
  }
  return `"${out}"`;
}
