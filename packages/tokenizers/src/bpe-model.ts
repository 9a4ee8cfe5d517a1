/**
 * Byte-level BPE model: a piece is encoded as UTF-8, then merged (see bpe-merge.ts). Every byte has a
 * token, so there is no `<unk>`: any text can be encoded, and well-formed text decodes back exactly.
 *
 * Pieces repeat (" the", "\n"), so results are memoised per piece string. The memo changes no result; it is
 * bounded (cleared when it reaches CACHE_LIMIT entries).
 */
import { bpeMerge, ID_LIMIT, type MergeRules } from './bpe-merge.js';
import { fromByteLevel, toByteLevel } from './byte-level.js';
import { tokenizerError } from './errors.js';
import { check } from './json-checks.js';
import type { Model } from './model.js';
import { isAscii, utf8ByteSpans, utf8ByteString } from './utf8.js';

export type BpeJSON =
  | {
      readonly type: 'BPE';
      /** tiktoken rules: id = rank; two adjacent parts merge when their bytes form a token. */
      readonly mode: 'ranks';
      /** Byte-level text of each id's bytes ("Ġthe"), `null` for holes. */
      readonly vocab: readonly (string | null)[];
    }
  | {
      readonly type: 'BPE';
      /** HF/training rules: only the listed pairs merge, earlier pairs first. */
      readonly mode: 'merges';
      readonly vocab: readonly (string | null)[];
      /** [left, right] token texts; the result is the token `left + right`. */
      readonly merges: readonly (readonly [string, string])[];
      /** Emit a piece that is itself a token without merging (HF `ignore_merges`). */
      readonly ignoreMerges: boolean;
    };

export const CACHE_LIMIT = 100_000;

export interface BpeModel extends Model {
  /** Byte string of an id, undefined for holes. */
  bytesOf(id: number): string | undefined;
  /** The merge rules, for tools that convert between formats. */
  readonly rules: MergeRules;
  toJSON(): BpeJSON;
}

export function createBpeModel(json: BpeJSON, path = 'model'): BpeModel {
  const object = check.object(json, path);
  const mode = check.string(object['mode'], `${path}.mode`);
  if (mode !== 'ranks' && mode !== 'merges') {
    throw tokenizerError(`expected 'ranks' or 'merges', got ${JSON.stringify(mode)}`, {
      path: `${path}.mode`,
    });
  }
  const texts = check.array(object['vocab'], `${path}.vocab`);
  if (texts.length > ID_LIMIT) {
    throw tokenizerError(`at most ${ID_LIMIT} ids are supported, got ${texts.length}`, {
      path: `${path}.vocab`,
    });
  }
  const bytes: (string | undefined)[] = new Array(texts.length);
  const ids = new Map<string, number>();
  for (let id = 0; id < texts.length; id++) {
    const text = texts[id];
    if (text === null) continue;
    const where = `${path}.vocab[${id}]`;
    const b = fromByteLevel(check.string(text, where));
    if (b === undefined || b.length === 0) {
      throw tokenizerError(`${JSON.stringify(text)} is not byte-level text (GPT-2 byte map)`, {
        path: where,
      });
    }
    if (ids.has(b)) throw tokenizerError(`duplicate token ${JSON.stringify(text)}`, { path: where });
    bytes[id] = b;
    ids.set(b, id);
  }
  const byteIds = new Int32Array(256);
  for (let b = 0; b < 256; b++) {
    const id = ids.get(String.fromCharCode(b));
    if (id === undefined) {
      throw tokenizerError(
        `the vocabulary has no token for byte 0x${b.toString(16).padStart(2, '0')} (${JSON.stringify(toByteLevel(String.fromCharCode(b)))}); ` +
          'byte-level BPE needs all 256 bytes so that any text can be encoded',
        { path: `${path}.vocab` },
      );
    }
    byteIds[b] = id;
  }
  const merges = mode === 'merges' ? readMerges(object['merges'], ids, `${path}.merges`) : [];
  const pairs = new Map<number, number>();
  merges.forEach(([left, right, result], rank) => {
    const key = left * ID_LIMIT + right;
    if (!pairs.has(key)) pairs.set(key, rank * ID_LIMIT + result);
  });
  const ignoreMerges =
    mode === 'merges' ? check.boolean(object['ignoreMerges'], `${path}.ignoreMerges`) : true;
  const rules: MergeRules = { mode, byteIds, ids, pairs };
  return bpeModel(rules, bytes, merges, ignoreMerges);
}

function readMerges(
  value: unknown,
  ids: ReadonlyMap<string, number>,
  path: string,
): [number, number, number][] {
  const list = check.array(value, path);
  return list.map((merge, i) => {
    const where = `${path}[${i}]`;
    const pair = check.array(merge, where);
    if (pair.length !== 2)
      throw tokenizerError(`expected [left, right], got ${pair.length} items`, { path: where });
    const [left, right] = pair.map((text, k) => {
      const b = fromByteLevel(check.string(text, `${where}[${k}]`));
      const id = b === undefined ? undefined : ids.get(b);
      if (id === undefined)
        throw tokenizerError(`${JSON.stringify(text)} is not in the vocabulary`, {
          path: `${where}[${k}]`,
        });
      return { b: b!, id };
    }) as [{ b: string; id: number }, { b: string; id: number }];
    const result = ids.get(left.b + right.b);
    if (result === undefined) {
      throw tokenizerError(
        `the merged token ${JSON.stringify(toByteLevel(left.b + right.b))} is not in the vocabulary`,
        {
          path: where,
        },
      );
    }
    return [left.id, right.id, result];
  });
}

function bpeModel(
  rules: MergeRules,
  bytes: readonly (string | undefined)[],
  merges: readonly [number, number, number][],
  ignoreMerges: boolean,
): BpeModel {
  const cache = new Map<string, number | number[]>();
  const texts: (string | undefined)[] = []; // byte-level text per id, filled on first use
  const direct = rules.mode === 'ranks' || ignoreMerges;

  function encodePiece(piece: string, out: number[]): void {
    const hit = cache.get(piece);
    if (hit === undefined) {
      encodeMiss(piece, out);
      return;
    }
    if (typeof hit === 'number') out.push(hit);
    else for (let k = 0; k < hit.length; k++) out.push(hit[k]!);
  }

  function encodeMiss(piece: string, out: number[]): void {
    const b = utf8ByteString(piece);
    const whole = direct ? rules.ids.get(b) : undefined;
    let result: number | number[];
    if (whole !== undefined) result = whole;
    else if (b.length === 1) result = rules.byteIds[b.charCodeAt(0)]!;
    else {
      const parts: number[] = [];
      bpeMerge(b, rules, parts);
      result = parts.length === 1 ? parts[0]! : parts;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(piece, result);
    if (typeof result === 'number') out.push(result);
    else for (let k = 0; k < result.length; k++) out.push(result[k]!);
  }

  return {
    size: bytes.length,
    splittable: false,
    rules,
    encodePiece,
    tokenizePiece(piece, out, starts, ends) {
      const first = out.length;
      encodePiece(piece, out);
      const spans = isAscii(piece) ? null : utf8ByteSpans(piece);
      let at = 0;
      for (let k = first; k < out.length; k++) {
        const next = at + bytes[out[k]!]!.length;
        starts.push(spans === null ? at : spans.unitStart[at]!);
        ends.push(spans === null ? next : spans.unitEnd[next - 1]!);
        at = next;
      }
    },
    bytesOf: (id) => bytes[id],
    idToToken(id) {
      const text = texts[id];
      if (text !== undefined) return text;
      const b = bytes[id];
      if (b === undefined) return undefined;
      const made = toByteLevel(b);
      texts[id] = made;
      return made;
    },
    tokenToId(token) {
      const b = fromByteLevel(token);
      return b === undefined ? undefined : rules.ids.get(b);
    },
    toJSON(): BpeJSON {
      const vocab = Array.from(bytes, (b) => (b === undefined ? null : toByteLevel(b)));
      if (rules.mode === 'ranks') return { type: 'BPE', mode: 'ranks', vocab };
      const text = (id: number) => toByteLevel(bytes[id]!);
      return {
        type: 'BPE',
        mode: 'merges',
        vocab,
        merges: merges.map(([l, r]) => [text(l), text(r)] as const),
        ignoreMerges,
      };
    },
  };
}
