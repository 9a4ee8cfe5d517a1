/** Id tables shared by the char and word models: a vocabulary array with holes, and `<unk>` resolution. */
import { tokenizerError } from './errors.js';
import { check, MAX_ID } from './json-checks.js';

/** Validates `vocab` (strings or null holes) and returns token -> id. */
export function indexVocab(
  value: unknown,
  path: string,
  problemOf: (token: string) => string | undefined = () => undefined,
): Map<string, number> {
  const vocab = check.array(value, path);
  if (vocab.length > MAX_ID + 1)
    throw tokenizerError(`at most ${MAX_ID + 1} ids are supported, got ${vocab.length}`, { path });
  const ids = new Map<string, number>();
  for (let id = 0; id < vocab.length; id++) {
    const token = vocab[id];
    if (token === null) continue;
    check.string(token, `${path}[${id}]`);
    const problem = problemOf(token as string);
    if (problem !== undefined) throw tokenizerError(problem, { path: `${path}[${id}]` });
    if (ids.has(token as string)) {
      throw tokenizerError(
        `duplicate token ${JSON.stringify(token)}: it already has id ${ids.get(token as string)}`,
        { path: `${path}[${id}]` },
      );
    }
    ids.set(token as string, id);
  }
  return ids;
}

/** The id of `unkToken` among the special tokens, -1 for null (unknown tokens raise). */
export function resolveUnk(unkToken: unknown, specialIds: ReadonlyMap<string, number>, path: string): number {
  if (unkToken === null) return -1;
  const content = check.string(unkToken, path);
  const id = specialIds.get(content);
  if (id === undefined) {
    throw tokenizerError(
      `unkToken ${JSON.stringify(content)} is not one of the special tokens (${[...specialIds.keys()].join(', ') || 'none'})`,
      { path },
    );
  }
  return id;
}
