/**
 * Node-only helpers (file system). Import from `@strand/markov/node`; the rest of the package
 * has no Node imports and runs in browsers. Writes go through `@strand/base/node`'s one atomic
 * writer (temp file, fsync, rename).
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@strand/base/node';
import { type ArpaReadOptions, type ArpaReadResult, readArpa } from './arpa-read.js';
import { type ArpaWriteOptions, toArpa } from './arpa-write.js';
import { type ConlluSentence, parseConllu } from './conllu.js';
import type { NgramLanguageModel } from './ngram-model.js';

/** Reads an ARPA language model file; errors name the file and line. */
export async function readArpaFile(path: string, options?: ArpaReadOptions): Promise<NgramLanguageModel> {
  return (await readArpaFileReport(path, options)).model;
}

/** Reads an ARPA file and reports what was repaired (clamped probabilities, an added `<unk>`). */
export async function readArpaFileReport(path: string, options?: ArpaReadOptions): Promise<ArpaReadResult> {
  const bytes = await readFile(path);
  return readArpa(bytes, { ...options, source: options?.source ?? path });
}

/** Writes a model as an ARPA file (atomically: readers never see half a file). */
export async function writeArpaFile(
  path: string,
  lm: NgramLanguageModel,
  options?: ArpaWriteOptions,
): Promise<void> {
  await writeFileAtomic(path, toArpa(lm, options));
}

/** Reads a CoNLL-U treebank file; errors name the file and line (or byte offset). */
export async function readConlluFile(path: string): Promise<ConlluSentence[]> {
  const bytes = await readFile(path);
  return parseConllu(bytes, { source: path });
}
