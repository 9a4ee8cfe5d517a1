/**
 * Special tokens (`<pad>`, `<unk>`, `<bos>`, `<eos>`, `<|endoftext|>`): ids outside the model, matched
 * in input text only when the caller allows them (like tiktoken's `allowedSpecial`); otherwise their
 * text is encoded as ordinary text.
 */
import { ConfigError, TokenizerFormatError } from './errors.js';
import { expectArray, expectIndex, expectObject, expectString } from './validate.js';

export interface SpecialToken {
  readonly id: number;
  readonly content: string;
}

/** Which special tokens are recognised in input text: none (default), all, or the listed contents. */
export type AllowedSpecial = 'all' | 'none' | readonly string[];

export interface SpecialTokens {
  readonly list: readonly SpecialToken[];
  readonly byContent: ReadonlyMap<string, number>;
  readonly byId: ReadonlyMap<number, string>;
}

export function createSpecialTokens(value: unknown, path = 'specialTokens'): SpecialTokens {
  const array = expectArray(value, path);
  const byContent = new Map<string, number>();
  const byId = new Map<number, string>();
  const list = array.map((item, i) => {
    const where = `${path}[${i}]`;
    const object = expectObject(item, where);
    const id = expectIndex(object['id'], `${where}.id`);
    const content = expectString(object['content'], `${where}.content`);
    if (content.length === 0)
      throw new TokenizerFormatError('special token content must not be empty', { path: where });
    if (byContent.has(content) || byId.has(id)) {
      throw new TokenizerFormatError(`duplicate special token ${JSON.stringify(content)} (id ${id})`, {
        path: where,
      });
    }
    byContent.set(content, id);
    byId.set(id, content);
    return { id, content };
  });
  return { list, byContent, byId };
}

/** A matcher for the allowed contents, or null when none are allowed. */
export interface SpecialMatcher {
  readonly regex: RegExp;
  readonly contents: readonly string[];
}

export function specialMatcher(
  specials: SpecialTokens,
  allowed: AllowedSpecial = 'none',
): SpecialMatcher | null {
  if (allowed === 'none') return null;
  const contents = allowed === 'all' ? specials.list.map((s) => s.content) : [...allowed];
  for (const content of contents) {
    if (!specials.byContent.has(content)) {
      throw new ConfigError(
        `allowedSpecial names ${JSON.stringify(content)}, which is not a special token of this tokenizer ` +
          `(${specials.list.map((s) => s.content).join(', ') || 'none'}).`,
      );
    }
  }
  if (contents.length === 0) return null;
  // Longest first, so that at one position the longest special token wins.
  contents.sort((a, b) => b.length - a.length);
  const escaped = contents.map((c) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'));
  return { regex: new RegExp(escaped.join('|'), 'g'), contents };
}

/**
 * Calls `onText(start, end)` for each run of ordinary text (possibly empty runs are skipped) and
 * `onSpecial(content, start)` for each allowed special token, in order.
 */
export function splitOnSpecial(
  text: string,
  matcher: SpecialMatcher | null,
  onText: (start: number, end: number) => void,
  onSpecial: (content: string, start: number) => void,
): void {
  if (matcher === null) {
    if (text.length > 0) onText(0, text.length);
    return;
  }
  const { regex } = matcher;
  regex.lastIndex = 0;
  let last = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    if (m.index > last) onText(last, m.index);
    onSpecial(m[0], m.index);
    last = m.index + m[0].length;
  }
  if (last < text.length) onText(last, text.length);
}

/**
 * Where a special token might be starting at the end of `text` (the start of the longest suffix that is a
 * proper prefix of an allowed content); `text.length` when none. The stream encoder waits there.
 */
export function pendingSpecialStart(text: string, matcher: SpecialMatcher | null): number {
  if (matcher === null) return text.length;
  let start = text.length;
  for (const content of matcher.contents) {
    const longest = Math.min(content.length - 1, text.length);
    for (let k = longest; k > 0 && text.length - k < start; k--) {
      if (text.endsWith(content.slice(0, k))) {
        start = text.length - k;
        break;
      }
    }
  }
  return start;
}
