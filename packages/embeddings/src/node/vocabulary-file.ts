import { readFile } from 'node:fs/promises';
import { parseVocabulary } from '../vocabulary-json.js';

/** Reads a JSON vocabulary (an array of words or word → id); errors name the file and line. */
export async function readVocabularyFile(path: string): Promise<string[]> {
  return parseVocabulary(await readFile(path, 'utf8'), { source: path });
}
