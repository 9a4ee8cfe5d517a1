/**
 * Encoding text that arrives in chunks, with exactly the ids `encodeIds(wholeText)` would give.
 *
 * Text moves through two buffers:
 * 1. `raw` holds original text that cannot be normalized yet: a possible special token still arriving, a
 *    high surrogate whose partner is in the next chunk, and (with a normalizer) everything after the last
 *    whitespace, because normalization is only piecewise at whitespace (see normalizers.ts).
 * 2. `norm` holds normalized text whose pieces may still change. A regex pre-tokenizer's last pieces can
 *    grow or re-split when more text arrives (a whitespace run, "'" before "ll"), so the last two pieces,
 *    and any piece starting in the last 8 units, wait. Matching at a piece start reads only text after it
 *    (the patterns have no lookbehind), and for the GPT-2/cl100k/o200k patterns a match never looks past
 *    the two pieces that follow it, so committed pieces are final.
 */
import { isSegmentSpace, normalizeAligned, originalSpan } from './alignment.js';
import type { EncodeOptions } from './encode.js';
import { StreamEndedError, unknownToken, VocabularyError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import {
  pendingSpecialStart,
  type SpecialMatcher,
  specialMatcher,
  splitOnSpecial,
} from './special-tokens.js';

const HOLD_PIECES = 2;
const HOLD_UNITS = 8;

/** Where a stretch of `norm` came from, to report unknown-token positions in the original stream. */
interface Origin {
  readonly normStart: number;
  readonly normEnd: number;
  readonly raw: string;
  readonly rawStart: number;
}

export class StreamEncoder {
  private readonly matcher: SpecialMatcher | null;
  private readonly wrap: boolean;
  private raw = '';
  private rawBase = 0; // original offset of raw[0]
  private norm = '';
  private normBase = 0; // offset of norm[0] in the normalized stream
  private origins: Origin[] = [];
  private started = false;
  private ended = false;

  constructor(
    private readonly p: Pipeline,
    options: EncodeOptions = {},
  ) {
    this.matcher = specialMatcher(p.specials, options.allowedSpecial);
    this.wrap = (options.addSpecialTokens ?? true) && p.postProcessor !== null;
  }

  /** Feeds a chunk; returns the ids that are now final (possibly none). */
  push(chunk: string): number[] {
    if (this.ended) throw new StreamEndedError('push() after end(): this stream encoder has finished.');
    const out = this.start();
    this.raw += chunk;
    this.drain(out, false);
    return out;
  }

  /** Ends the stream; returns the remaining ids. */
  end(): number[] {
    if (this.ended) throw new StreamEndedError('end() called twice on one stream encoder.');
    const out = this.start();
    this.drain(out, true);
    this.ended = true;
    if (this.wrap) out.push(...this.p.postProcessor!.suffix);
    return out;
  }

  private start(): number[] {
    const out: number[] = [];
    if (!this.started && this.wrap) out.push(...this.p.postProcessor!.prefix);
    this.started = true;
    return out;
  }

  private drain(out: number[], final: boolean): void {
    const { raw } = this;
    let cut = final ? raw.length : pendingSpecialStart(raw, this.matcher);
    if (!final && cut === raw.length && isHighSurrogate(raw.charCodeAt(cut - 1))) cut--;
    const head = raw.slice(0, cut);
    let keepFrom = cut;
    splitOnSpecial(
      head,
      this.matcher,
      (start, end) => {
        if (final || end < head.length) {
          this.appendNorm(head.slice(start, end), start);
          this.flushNorm(out, true);
          return;
        }
        // The text run still continues: normalize only up to its last whitespace.
        let safe = end;
        if (this.p.normalizer !== null) {
          safe = start;
          for (let i = end - 1; i > start; i--) {
            if (isSegmentSpace(head.charCodeAt(i))) {
              safe = i;
              break;
            }
          }
        }
        this.appendNorm(head.slice(start, safe), start);
        this.flushNorm(out, false);
        keepFrom = safe;
      },
      (content) => {
        this.flushNorm(out, true);
        out.push(this.p.specials.byContent.get(content)!);
      },
    );
    if (final) this.flushNorm(out, true);
    this.raw = raw.slice(keepFrom);
    this.rawBase += keepFrom;
  }

  private appendNorm(text: string, rawOffset: number): void {
    if (text.length === 0) return;
    const normalized = this.p.normalizer === null ? text : this.p.normalizer.normalize(text);
    const normStart = this.normBase + this.norm.length;
    this.origins.push({
      normStart,
      normEnd: normStart + normalized.length,
      raw: text,
      rawStart: this.rawBase + rawOffset,
    });
    this.norm += normalized;
  }

  /** Encodes the pieces of `norm` that are final (all of them when `final`). */
  private flushNorm(out: number[], final: boolean): void {
    const { norm } = this;
    if (norm.length === 0) return;
    const { preTokenizer, model } = this.p;
    let cut = norm.length;
    if (preTokenizer === null) {
      if (!final && !model.splittable) return;
      if (!final && isHighSurrogate(norm.charCodeAt(norm.length - 1))) cut--;
      this.encodePiece(norm.slice(0, cut), 0, out);
    } else {
      const pieces: string[] = [];
      const starts: number[] = [];
      preTokenizer.split(norm, (piece, start) => {
        pieces.push(piece);
        starts.push(start);
      });
      let commit = pieces.length;
      if (!final) {
        commit = Math.max(0, pieces.length - HOLD_PIECES);
        while (commit > 0 && starts[commit - 1]! >= norm.length - HOLD_UNITS) commit--;
        cut = commit < pieces.length ? starts[commit]! : 0;
      }
      for (let k = 0; k < commit; k++) this.encodePiece(pieces[k]!, starts[k]!, out);
    }
    this.norm = norm.slice(cut);
    this.normBase += cut;
    while (this.origins.length > 0 && this.origins[0]!.normEnd <= this.normBase) this.origins.shift();
  }

  private encodePiece(piece: string, start: number, out: number[]): void {
    try {
      this.p.model.encodePiece(piece, out);
    } catch (error) {
      if (!(error instanceof VocabularyError)) throw error;
      throw unknownToken(error.token, this.originalPosition(this.normBase + start + error.position));
    }
  }

  private originalPosition(normPosition: number): number {
    const origin =
      this.origins.find((o) => normPosition < o.normEnd) ?? this.origins[this.origins.length - 1]!;
    const aligned = normalizeAligned(origin.raw, this.p.normalizer);
    const at = normPosition - origin.normStart;
    return originalSpan(aligned, at, at + 1, origin.rawStart)[0];
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code < 0xdc00;
}

/**
 * Encodes a stream of text chunks, yielding ids as they become final. The concatenation of everything
 * yielded equals `encodeIds(chunks.join(''))`.
 */
export async function* encodeStream(
  p: Pipeline,
  chunks: AsyncIterable<string> | Iterable<string>,
  options: EncodeOptions = {},
): AsyncGenerator<number[], void, undefined> {
  const encoder = new StreamEncoder(p, options);
  for await (const chunk of chunks) {
    const ids = encoder.push(chunk);
    if (ids.length > 0) yield ids;
  }
  const rest = encoder.end();
  if (rest.length > 0) yield rest;
}
