/**
 * tiktoken rank files. Two spellings of the same table (token bytes -> rank, rank = id):
 * - `.tiktoken` files (OpenAI's published format): one `<base64 bytes> <rank>` per line;
 * - js-tiktoken's compressed form (`js-tiktoken/ranks/cl100k_base`): `{ pat_str, special_tokens, bpe_ranks }`
 *   where `bpe_ranks` has lines `<tag> <first rank> <base64> <base64> ...` of consecutive ranks.
 * Both parse to `bytes[rank]` (byte strings, holes undefined).
 *
 * Files are untrusted: base64 is decoded strictly here (canonical padding and zero pad bits, so
 * `parse(format(x))` is the identity and `atob`'s DOMException never escapes), and ranks are bounded
 * by MAX_ID before anything is allocated.
 */
import { FormatError, type FormatLocation } from './errors.js';
import { MAX_ID } from './json-checks.js';

/** The `format` of errors about `.tiktoken` files and js-tiktoken rank data. */
export const TIKTOKEN_FORMAT = '.tiktoken';

/** The object `js-tiktoken` ships for each encoding. */
export interface TiktokenBpe {
  readonly pat_str: string;
  readonly special_tokens: Readonly<Record<string, number>>;
  readonly bpe_ranks: string;
}

const tiktokenError = (reason: string, location: FormatLocation) =>
  new FormatError(TIKTOKEN_FORMAT, reason, location);

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes standard, padded base64 to a byte string (one char per byte), or returns undefined when `token`
 * is not canonical base64: length a multiple of 4, at most two `=` only at the end, pad bits zero.
 */
export function decodeBase64(token: string): string | undefined {
  const n = token.length;
  if (n === 0 || n % 4 !== 0) return undefined;
  const pad = token.endsWith('==') ? 2 : token.endsWith('=') ? 1 : 0;
  let out = '';
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 === n;
    const s = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      if (last && k >= 4 - pad) continue;
      const c = token.charCodeAt(i + k);
      const v = c < 128 ? SEXTET[c]! : -1;
      if (v < 0) return undefined;
      s[k] = v;
    }
    const bits = (s[0]! << 18) | (s[1]! << 12) | (s[2]! << 6) | s[3]!;
    if (last && pad === 2) {
      if ((bits & 0xffff) !== 0) return undefined; // non-zero pad bits: not canonical
      out += String.fromCharCode(bits >>> 16);
    } else if (last && pad === 1) {
      if ((bits & 0xff) !== 0) return undefined;
      out += String.fromCharCode(bits >>> 16, (bits >>> 8) & 0xff);
    } else out += String.fromCharCode(bits >>> 16, (bits >>> 8) & 0xff, bits & 0xff);
  }
  return out;
}

function decodeToken(token: string, line: number, column: number, source: string | undefined): string {
  const bytes = decodeBase64(token);
  if (bytes === undefined) {
    throw tiktokenError(`expected a base64 token, got ${JSON.stringify(token.slice(0, 40))}`, {
      source,
      line,
      column,
    });
  }
  return bytes;
}

function place(
  bytes: (string | undefined)[],
  rank: number,
  token: string,
  where: () => FormatLocation,
): void {
  if (rank > MAX_ID)
    throw tiktokenError(`rank ${rank} is larger than the largest supported id ${MAX_ID}`, where());
  if (bytes[rank] !== undefined) throw tiktokenError(`rank ${rank} appears twice`, where());
  // Fill holes explicitly so the array never becomes sparse (and `length` stays honest).
  while (bytes.length < rank) bytes.push(undefined);
  bytes[rank] = token;
}

/** Parses a `.tiktoken` file. Errors name `source`, the line and the column. */
export function parseTiktokenFile(text: string, source?: string): (string | undefined)[] {
  const bytes: (string | undefined)[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.length === 0) continue;
    const parts = line.split(' ');
    if (parts.length !== 2) {
      throw tiktokenError(`expected "<base64 token> <rank>", got ${JSON.stringify(line.slice(0, 60))}`, {
        source,
        line: i + 1,
        column: 1,
      });
    }
    const token = decodeToken(parts[0]!, i + 1, 1, source);
    const rank = parseRank(parts[1]!, i + 1, parts[0]!.length + 2, source);
    place(bytes, rank, token, () => ({ source, line: i + 1, column: parts[0]!.length + 2 }));
  }
  if (bytes.length === 0) throw tiktokenError('the rank file has no tokens', { source, line: 1, column: 1 });
  return bytes;
}

/** Parses js-tiktoken's compressed `bpe_ranks`. */
export function parseCompressedRanks(text: string, source?: string): (string | undefined)[] {
  const bytes: (string | undefined)[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    const parts = line.split(' ');
    const first = parseRank(parts[1] ?? '', i + 1, (parts[0]?.length ?? 0) + 2, source);
    let column = parts[0]!.length + parts[1]!.length + 3;
    for (let k = 2; k < parts.length; k++) {
      const token = decodeToken(parts[k]!, i + 1, column, source);
      const at = column;
      place(bytes, first + k - 2, token, () => ({ source, line: i + 1, column: at }));
      column += parts[k]!.length + 1;
    }
  }
  if (bytes.length === 0) throw tiktokenError('bpe_ranks has no tokens', { source, line: 1, column: 1 });
  return bytes;
}

function parseRank(text: string, line: number, column: number, source: string | undefined): number {
  // Digits only (no sign, exponent or hex), and short enough to be exact before the MAX_ID check.
  if (!/^\d{1,15}$/.test(text)) {
    throw tiktokenError(`expected a rank (non-negative integer), got ${JSON.stringify(text.slice(0, 40))}`, {
      source,
      line,
      column,
    });
  }
  return Number(text);
}

/** Writes a `.tiktoken` file: one `<base64 bytes> <rank>` per token, in rank order. */
export function formatTiktokenFile(bytes: readonly (string | undefined)[]): string {
  let out = '';
  for (let rank = 0; rank < bytes.length; rank++) {
    const token = bytes[rank];
    if (token !== undefined) out += `${btoa(token)} ${rank}\n`;
  }
  return out;
}
