import { readFile } from 'node:fs/promises';
import { type ParseVocabularyOptions, parseVocabulary } from '../vocabulary-json.js';

/**
 * Reads a JSON vocabulary (base Vocabulary JSON, an array of words, or word → id) as strict UTF-8;
 * errors name the file and the line, byte offset or JSON path.
 */
export async function readVocabularyFile(
  path: string,
  options: Omit<ParseVocabularyOptions, 'source'> = {},
): Promise<string[]> {
  return parseVocabulary(await readFile(path), { ...options, source: path });
}
