import { VectorFileError } from './errors.js';

/** Line and column (1-based) of a character offset. */
function lineOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastBreak = i;
    }
  }
  return { line, column: offset - lastBreak };
}

/**
 * A vocabulary (id → word) from JSON: an array of words (`["<pad>", "the", ...]`) or an object of
 * word → id (`{"<pad>": 0, "the": 1}`, as tokenizers' vocab.json), whose ids must be 0..n-1, each once.
 * Errors name the source and, for a syntax error, the line.
 */
export function parseVocabulary(text: string, { source = '<input>' }: { source?: string } = {}): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? lineOf(text, Number(at[1])).line : undefined;
    throw new VectorFileError(`malformed JSON (${message})`, source, line);
  }
  if (Array.isArray(json)) {
    const seen = new Map<string, number>();
    json.forEach((w, i) => {
      if (typeof w !== 'string')
        throw new VectorFileError(`entry ${i} is ${JSON.stringify(w)}, not a string`, source);
      if (seen.has(w))
        throw new VectorFileError(`'${w}' appears twice (ids ${seen.get(w)} and ${i})`, source);
      seen.set(w, i);
    });
    return json as string[];
  }
  if (typeof json === 'object' && json !== null) {
    const entries = Object.entries(json as Record<string, unknown>);
    const words: (string | undefined)[] = new Array(entries.length);
    for (const [word, id] of entries) {
      if (!(Number.isInteger(id) && (id as number) >= 0 && (id as number) < entries.length)) {
        throw new VectorFileError(
          `the id of '${word}' is ${JSON.stringify(id)}; ids must be integers 0..${entries.length - 1}`,
          source,
        );
      }
      const other = words[id as number];
      if (other !== undefined) throw new VectorFileError(`'${other}' and '${word}' share id ${id}`, source);
      words[id as number] = word;
    }
    return words as string[];
  }
  throw new VectorFileError('expected an array of words or an object of word → id', source);
}
