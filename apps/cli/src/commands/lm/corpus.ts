/**
 * Tiny Shakespeare as token ids: the nanoGPT split (first 90% train, last 10% validation) and a
 * character vocabulary in Strand's convention (<pad> <unk> <bos> <eos>, then the characters).
 */
import type { Vocabulary } from '@strand/base';
import { charVocabulary, splitText } from '@strand/data';
import { loadTinyShakespeare } from '@strand/data/node';

export interface Corpus {
  readonly train: string;
  readonly valid: string;
  readonly vocabulary: Vocabulary;
  readonly trainIds: Int32Array;
  readonly validIds: Int32Array;
}

export async function loadCorpus(options: {
  readonly dataDir: string | undefined;
  readonly limit?: number;
}): Promise<Corpus> {
  let text = await loadTinyShakespeare(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  // --limit: a slice of the real text (tests, smoke runs); the split stays first 90% / last 10% of it.
  if (options.limit !== undefined && options.limit < text.length) text = text.slice(0, options.limit);
  const { train, valid } = splitText(text, { validFraction: 0.1 });
  const vocabulary = charVocabulary(text);
  return { train, valid, vocabulary, trainIds: vocabulary.encode(train), validIds: vocabulary.encode(valid) };
}
