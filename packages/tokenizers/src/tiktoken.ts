/**
 * tiktoken rank files. Two spellings of the same table (token bytes -> rank, rank = id):
 * - `.tiktoken` files (OpenAI's published format): one `<base64 bytes> <rank>` per line;
 * - js-tiktoken's compressed form (`js-tiktoken/ranks/cl100k_base`): `{ pat_str, special_tokens, bpe_ranks }`
 *   where `bpe_ranks` has lines `<tag> <first rank> <base64> <base64> ...` of consecutive ranks.
 * Both parse to `bytes[rank]` (byte strings, holes undefined).
 */
import { TokenizerFormatError } from './errors.js';

/** The object `js-tiktoken` ships for each encoding. */
export interface TiktokenBpe {
  readonly pat_str: string;
  readonly special_tokens: Readonly<Record<string, number>>;
  readonly bpe_ranks: string;
}

const base64Token = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeToken(token: string, line: number, column: number, source: string | undefined): string {
  if (!base64Token.test(token) || token.length % 4 === 1) {
    throw new TokenizerFormatError(`expected a base64 token, got ${JSON.stringify(token.slice(0, 40))}`, {
      source,
      line,
      column,
    });
  }
  return atob(token);
}

function place(bytes: (string | undefined)[], rank: number, token: string, where: () => object): void {
  if (bytes[rank] !== undefined) {
    throw new TokenizerFormatError(`rank ${rank} appears twice`, where());
  }
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
      throw new TokenizerFormatError(
        `expected "<base64 token> <rank>", got ${JSON.stringify(line.slice(0, 60))}`,
        {
          source,
          line: i + 1,
          column: 1,
        },
      );
    }
    const token = decodeToken(parts[0]!, i + 1, 1, source);
    const rank = parseRank(parts[1]!, i + 1, parts[0]!.length + 2, source);
    place(bytes, rank, token, () => ({ source, line: i + 1, column: parts[0]!.length + 2 }));
  }
  if (bytes.length === 0)
    throw new TokenizerFormatError('the rank file has no tokens', { source, line: 1, column: 1 });
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
  if (bytes.length === 0)
    throw new TokenizerFormatError('bpe_ranks has no tokens', { source, line: 1, column: 1 });
  return bytes;
}

function parseRank(text: string, line: number, column: number, source: string | undefined): number {
  if (!/^\d+$/.test(text)) {
    throw new TokenizerFormatError(`expected a rank (non-negative integer), got ${JSON.stringify(text)}`, {
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
