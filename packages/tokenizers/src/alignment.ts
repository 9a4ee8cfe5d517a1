/**
 * Normalization with offsets: for each UTF-16 unit of the normalized text, the span of the original
 * text it came from, so every token can report offsets into the text the caller passed in.
 *
 * Normalizers are only asked for `normalize(text)`. Alignment is recovered by normalizing pieces:
 * first whitespace-delimited segments (exact, see normalizers.ts), then, inside a segment that changed,
 * clusters of one code point plus its combining marks. A cluster split is used only when it reproduces
 * the segment's normalization exactly; otherwise every unit of the segment maps to the whole segment.
 * Offsets are therefore always correct, and as fine as the normalization allows.
 */
import type { Normalizer } from './normalizers.js';

export interface AlignedText {
  readonly text: string;
  /** starts[k], ends[k]: original span of normalized unit k. Both null when normalization changed nothing. */
  readonly starts: Int32Array | null;
  readonly ends: Int32Array | null;
}

/** Whitespace that starts a normalization segment (JS `\s` minus U+FEFF, which is case-ignorable). */
export function isSegmentSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

const clusterPattern = /\P{M}\p{M}*|\p{M}+/gu;

/** Normalizes `text`, keeping the original span of every output unit. */
export function normalizeAligned(text: string, normalizer: Normalizer | null): AlignedText {
  if (normalizer === null) return { text, starts: null, ends: null };
  const whole = normalizer.normalize(text);
  if (whole === text) return { text, starts: null, ends: null };

  const starts: number[] = [];
  const ends: number[] = [];
  let out = '';
  let segmentStart = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i < text.length && !isSegmentSpace(text.charCodeAt(i))) continue;
    out += alignSegment(text, segmentStart, i, normalizer, starts, ends);
    segmentStart = i;
  }
  if (out !== whole) {
    // Cannot happen for the built-in normalizers; kept so a future normalizer never gets wrong offsets.
    return {
      text: whole,
      starts: new Int32Array(whole.length),
      ends: new Int32Array(whole.length).fill(text.length),
    };
  }
  return { text: whole, starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}

function alignSegment(
  text: string,
  a: number,
  b: number,
  normalizer: Normalizer,
  starts: number[],
  ends: number[],
): string {
  const segment = text.slice(a, b);
  const normalized = normalizer.normalize(segment);
  if (normalized === segment) {
    pushIdentity(a, b, starts, ends);
    return normalized;
  }
  const clusters: [number, number, string][] = [];
  let joined = '';
  clusterPattern.lastIndex = 0;
  for (let m = clusterPattern.exec(segment); m !== null; m = clusterPattern.exec(segment)) {
    const out = normalizer.normalize(m[0]);
    clusters.push([a + m.index, a + m.index + m[0].length, out]);
    joined += out;
  }
  if (joined !== normalized) {
    pushSpan(a, b, normalized.length, starts, ends);
    return normalized;
  }
  for (const [s, e, out] of clusters) {
    if (out === text.slice(s, e)) pushIdentity(s, e, starts, ends);
    else pushSpan(s, e, out.length, starts, ends);
  }
  return normalized;
}

function pushIdentity(a: number, b: number, starts: number[], ends: number[]): void {
  for (let k = a; k < b; k++) {
    starts.push(k);
    ends.push(k + 1);
  }
}

function pushSpan(a: number, b: number, count: number, starts: number[], ends: number[]): void {
  for (let k = 0; k < count; k++) {
    starts.push(a);
    ends.push(b);
  }
}

/**
 * Original [start, end) of the normalized span [start, end). `base` is added to both (the offset of
 * this aligned text inside the caller's input).
 */
export function originalSpan(
  aligned: AlignedText,
  start: number,
  end: number,
  base: number,
): [number, number] {
  const { starts, ends } = aligned;
  if (starts === null || ends === null) return [base + start, base + end];
  if (end <= start) {
    const at = start < starts.length ? starts[start]! : (ends[ends.length - 1] ?? 0);
    return [base + at, base + at];
  }
  return [base + starts[start]!, base + ends[end - 1]!];
}
