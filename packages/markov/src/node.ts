/**
 * Node-only helpers (file system). Import from `@strand/markov/node`; the rest of the package
 * has no Node imports and runs in browsers.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type ArpaReadOptions, parseArpa } from './arpa-read.js';
import { type ArpaWriteOptions, toArpa } from './arpa-write.js';
import { type ConlluSentence, parseConllu } from './conllu.js';
import { ArpaParseError, ConlluParseError } from './errors.js';
import type { NgramLanguageModel } from './ngram-model.js';

/** Writes a text file atomically: a temporary file in the same directory, then a rename. */
export async function writeTextFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Reads an ARPA language model file; parse errors name the file and line. */
export async function readArpaFile(path: string, options?: ArpaReadOptions): Promise<NgramLanguageModel> {
  const text = await readFile(path, 'utf8');
  try {
    return parseArpa(text, options);
  } catch (e) {
    if (e instanceof ArpaParseError) throw new ArpaParseError(e.line, e.detail, path);
    throw e;
  }
}

/** Writes a model as an ARPA file (atomically: readers never see half a file). */
export async function writeArpaFile(
  path: string,
  lm: NgramLanguageModel,
  options?: ArpaWriteOptions,
): Promise<void> {
  await writeTextFileAtomic(path, toArpa(lm, options));
}

/** Reads a CoNLL-U treebank file; parse errors name the file and line. */
export async function readConlluFile(path: string): Promise<ConlluSentence[]> {
  const text = await readFile(path, 'utf8');
  try {
    return parseConllu(text);
  } catch (e) {
    if (e instanceof ConlluParseError) throw new ConlluParseError(e.line, e.detail, path);
    throw e;
  }
}
