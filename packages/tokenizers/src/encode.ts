/**
 * Running the pipeline over one text: special tokens are split out first (when allowed), each run of
 * ordinary text is normalized, pre-tokenized and encoded by the model, and the post-processor wraps the
 * result. `encodeIds` is the fast path (no offsets, no token strings).
 */
import { normalizeAligned, originalSpan } from './alignment.js';
import { unknownToken, VocabularyError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import { type AllowedSpecial, specialMatcher, splitOnSpecial } from './special-tokens.js';

export interface EncodeOptions {
  /** Special tokens recognised in the text; by default none, so `<eos>` in text is ordinary text. */
  readonly allowedSpecial?: AllowedSpecial;
  /** Add the post-processor's tokens (`<bos>`, `<eos>`). Default true. */
  readonly addSpecialTokens?: boolean;
}

export interface Encoding {
  readonly ids: number[];
  /** Token text per id (byte-level text such as "Ġthe" for BPE, the content for special tokens). */
  readonly tokens: string[];
  /**
   * [start, end) UTF-16 offsets of each token in the original text. Post-processor tokens are empty spans
   * at the start ([0, 0]) or end ([n, n]). A byte-level token holding part of a character covers the whole
   * character, so neighbouring tokens can share it.
   */
  readonly offsets: [number, number][];
  /** 1 for special tokens (added or matched in the text), 0 otherwise. */
  readonly specialTokensMask: number[];
}

/** Appends the ids of ordinary text (no special tokens); `base` is its offset in the caller's input. */
export function encodeOrdinary(p: Pipeline, text: string, out: number[], base: number): void {
  const { normalizer, preTokenizer, model } = p;
  const normalized = normalizer === null ? text : normalizer.normalize(text);
  let pieceStart = 0;
  try {
    if (preTokenizer === null) {
      if (normalized.length > 0) model.encodePiece(normalized, out);
    } else {
      preTokenizer.split(normalized, (piece, start) => {
        pieceStart = start;
        model.encodePiece(piece, out);
      });
    }
  } catch (error) {
    if (!(error instanceof VocabularyError)) throw error;
    const at = pieceStart + error.position;
    throw unknownToken(error.token, originalSpan(normalizeAligned(text, normalizer), at, at + 1, base)[0]);
  }
}

function encodeOrdinaryWithOffsets(p: Pipeline, text: string, enc: Encoding, base: number): void {
  const { preTokenizer, model } = p;
  const aligned = normalizeAligned(text, p.normalizer);
  const starts: number[] = [];
  const ends: number[] = [];
  const visit = (piece: string, pieceStart: number) => {
    const first = enc.ids.length;
    starts.length = 0;
    ends.length = 0;
    try {
      model.tokenizePiece(piece, enc.ids, starts, ends);
    } catch (error) {
      if (!(error instanceof VocabularyError)) throw error;
      const at = pieceStart + error.position;
      throw unknownToken(error.token, originalSpan(aligned, at, at + 1, base)[0]);
    }
    for (let k = 0; k < starts.length; k++) {
      enc.offsets.push(originalSpan(aligned, pieceStart + starts[k]!, pieceStart + ends[k]!, base));
      const id = enc.ids[first + k]!;
      // An unknown token's id is the <unk> special token, which the model's table does not hold.
      enc.tokens.push(model.idToToken(id) ?? p.specials.byId.get(id)!);
      enc.specialTokensMask.push(0);
    }
  };
  if (preTokenizer === null) {
    if (aligned.text.length > 0) visit(aligned.text, 0);
  } else preTokenizer.split(aligned.text, visit);
}

/** Full encoding: ids, token strings, offsets into `text` and the special-token mask. */
export function encode(p: Pipeline, text: string, options: EncodeOptions = {}): Encoding {
  const enc: Encoding = { ids: [], tokens: [], offsets: [], specialTokensMask: [] };
  const pushSpecial = (id: number, start: number, end: number) => {
    enc.ids.push(id);
    enc.tokens.push(p.specials.byId.get(id)!);
    enc.offsets.push([start, end]);
    enc.specialTokensMask.push(1);
  };
  const wrap = (options.addSpecialTokens ?? true) && p.postProcessor !== null;
  if (wrap) for (const id of p.postProcessor!.prefix) pushSpecial(id, 0, 0);
  splitOnSpecial(
    text,
    specialMatcher(p.specials, options.allowedSpecial),
    (start, end) => encodeOrdinaryWithOffsets(p, text.slice(start, end), enc, start),
    (content, start) => pushSpecial(p.specials.byContent.get(content)!, start, start + content.length),
  );
  if (wrap) for (const id of p.postProcessor!.suffix) pushSpecial(id, text.length, text.length);
  return enc;
}

/** Ids only: the same ids as `encode(...).ids`, without building offsets and token strings. */
export function encodeIds(p: Pipeline, text: string, options: EncodeOptions = {}): number[] {
  const ids: number[] = [];
  const wrap = (options.addSpecialTokens ?? true) && p.postProcessor !== null;
  if (wrap) ids.push(...p.postProcessor!.prefix);
  const matcher = specialMatcher(p.specials, options.allowedSpecial);
  if (matcher === null) encodeOrdinary(p, text, ids, 0);
  else {
    splitOnSpecial(
      text,
      matcher,
      (start, end) => encodeOrdinary(p, text.slice(start, end), ids, start),
      (content) => ids.push(p.specials.byContent.get(content)!),
    );
  }
  if (wrap) ids.push(...p.postProcessor!.suffix);
  return ids;
}
