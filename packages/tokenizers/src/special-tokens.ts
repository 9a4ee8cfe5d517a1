/**
 * Special tokens (`<pad>`, `<unk>`, `<bos>`, `<eos>`, `<|endoftext|>`): ids outside the model, matched
 * in input text only when the caller allows them (like tiktoken's `allowedSpecial`); otherwise their
 * text is encoded as ordinary text.
 */
import { ConfigError, tokenizerError } from './errors.js';
import { check, MAX_ID } from './json-checks.js';

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

/** Longest special-token content accepted (real ones are a few characters: `<|endoftext|>`). */
export const MAX_SPECIAL_LENGTH = 256;

export function createSpecialTokens(value: unknown, path = 'specialTokens'): SpecialTokens {
  const array = check.array(value, path);
  const byContent = new Map<string, number>();
  const byId = new Map<number, string>();
  const list = array.map((item, i) => {
    const where = `${path}[${i}]`;
    const object = check.object(item, where);
    const id = check.index(object['id'], `${where}.id`, MAX_ID);
    const content = check.string(object['content'], `${where}.content`);
    if (content.length === 0)
      throw tokenizerError('special token content must not be empty', { path: where });
    // They become alternatives of one RegExp: a hostile 100k-character token must not make it too large.
    if (content.length > MAX_SPECIAL_LENGTH)
      throw tokenizerError(`special token content longer than ${MAX_SPECIAL_LENGTH} characters`, {
        path: where,
      });
    if (byContent.has(content) || byId.has(id)) {
      throw tokenizerError(`duplicate special token ${JSON.stringify(content)} (id ${id})`, {
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
  try {
    return { regex: new RegExp(escaped.join('|'), 'g'), contents };
  } catch (error) {
    throw new ConfigError(
      `allowedSpecial: cannot match ${contents.length} special tokens (${(error as Error).message})`,
      'allowedSpecial',
      { cause: error },
    );
  }
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
