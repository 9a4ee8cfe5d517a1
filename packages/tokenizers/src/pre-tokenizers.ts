/**
 * Stage 2: normalized text -> pieces. The model then tokenizes each piece on its own, so no token
 * ever crosses a piece boundary.
 */

import { check, expectTyped, unknownType } from './json-checks.js';
import { compilePattern } from './patterns.js';

export type PreTokenizerJSON = {
  readonly type: 'Split';
  /** JavaScript RegExp source, compiled with the `u` flag (see `patterns` for presets). */
  readonly pattern: string;
  /**
   * Drop pieces that are only whitespace (word tokenizers). When false, text between matches becomes a
   * piece of its own, so no character is ever lost.
   */
  readonly dropWhitespace: boolean;
};

export interface PreTokenizer {
  /**
   * Calls `emit(piece, start)` for each piece in order; `start` is the piece's UTF-16 offset in `text`.
   * Pieces do not overlap; the only text not covered by a piece is whitespace, and only when dropped.
   */
  split(text: string, emit: (piece: string, start: number) => void): void;
}

const preTokenizerTypes = ['Split'] as const;

export function createPreTokenizer(json: PreTokenizerJSON, path = 'preTokenizer'): PreTokenizer {
  expectTyped(json, path);
  switch (json.type) {
    case 'Split': {
      const object = check.object(json, path);
      const pattern = check.string(object['pattern'], `${path}.pattern`);
      const dropWhitespace = check.boolean(object['dropWhitespace'], `${path}.dropWhitespace`);
      return splitPreTokenizer(compilePattern(pattern, `${path}.pattern`), dropWhitespace);
    }
    default:
      return unknownType('pre-tokenizer', json.type, path, preTokenizerTypes);
  }
}

const nonSpace = /\S+/g;

function splitPreTokenizer(regex: RegExp, dropWhitespace: boolean): PreTokenizer {
  // A sticky copy: `test` at a position allocates no match array, and the piece is [position, lastIndex).
  // Trying each position in turn finds the same matches as a global search (leftmost first).
  const sticky = new RegExp(regex.source, 'uy');
  const emitGap = (
    text: string,
    start: number,
    end: number,
    emit: (piece: string, start: number) => void,
  ) => {
    const gap = text.slice(start, end);
    if (!dropWhitespace) return emit(gap, start);
    nonSpace.lastIndex = 0;
    for (let m = nonSpace.exec(gap); m !== null; m = nonSpace.exec(gap)) emit(m[0], start + m.index);
  };
  let busy = false;

  return {
    split(text, emit) {
      // The RegExp's lastIndex is state; a re-entrant call gets its own copy.
      const re = busy ? new RegExp(sticky) : sticky;
      const wasBusy = busy;
      busy = true;
      try {
        let at = 0;
        let gapStart = 0;
        while (at < text.length) {
          re.lastIndex = at;
          if (re.test(text) && re.lastIndex > at) {
            const end = re.lastIndex;
            if (gapStart < at) emitGap(text, gapStart, at, emit);
            const piece = text.slice(at, end);
            if (!dropWhitespace || /\S/.test(piece)) emit(piece, at);
            at = end;
            gapStart = end;
          } else {
            // No (or an empty) match here: this code point joins a gap.
            const code = text.charCodeAt(at);
            const next = text.charCodeAt(at + 1);
            at += code >= 0xd800 && code < 0xdc00 && next >= 0xdc00 && next < 0xe000 ? 2 : 1;
          }
        }
        if (gapStart < text.length) emitGap(text, gapStart, text.length, emit);
      } finally {
        busy = wasBusy;
      }
    },
  };
}
