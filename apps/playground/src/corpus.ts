/**
 * The text the models learn: tiny Shakespeare from this origin, or a dropped file, or pasted text;
 * and the English-French pairs of the translation model, also from this origin (build/data.ts).
 */
import type { Vocabulary } from '@strand/base';
import { charVocabulary, fetchText, parseText, readFileText, splitText } from '@strand/data';

export interface Corpus {
  readonly name: string;
  readonly text: string;
  readonly vocab: Vocabulary;
  readonly train: Int32Array;
  /** The validation slice every model (neural and baseline) is scored on. */
  readonly valid: Int32Array;
  readonly trainText: string;
  readonly validText: string;
}

/** Characters of validation text scored: 16 streams of 64 steps, one forward pass. */
export const VALID_CHARS = 16 * 64 + 1;

export function makeCorpus(name: string, raw: string, vocab?: Vocabulary): Corpus {
  const text = parseText(raw, { source: name });
  const v = vocab ?? charVocabulary(text);
  const split = splitText(text, { validFraction: 0.1 });
  const validText = [...split.valid].slice(0, VALID_CHARS).join('');
  return {
    name,
    text,
    vocab: v,
    train: Int32Array.from(v.encode(split.train)),
    valid: Int32Array.from(v.encode(validText)),
    trainText: split.train,
    validText,
  };
}

/** Tiny Shakespeare as the build placed it beside the page; null when the build had no copy. */
export async function fetchShakespeare(): Promise<Corpus | null> {
  try {
    const text = await fetchText(new URL('./data/tinyshakespeare.txt', document.baseURI).href, {
      timeoutMs: 60_000,
    });
    return makeCorpus('tiny Shakespeare', text);
  } catch {
    return null;
  }
}

export async function corpusFromFile(file: File): Promise<Corpus> {
  return makeCorpus(file.name, await readFileText(file));
}

/** The English-French pairs file as the build placed it beside the page; null when it had no copy. */
export async function fetchPairsText(): Promise<string | null> {
  try {
    return await fetchText(new URL('./data/eng-fra.txt', document.baseURI).href, { timeoutMs: 60_000 });
  } catch {
    return null;
  }
}
