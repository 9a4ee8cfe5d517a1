/** UD English-EWT as tagged sentences: train, dev and test, UPOS with gold tokenisation. */
import { loadUdEnglishEwt } from '@strand/data/node';
import { UsageError } from '../../frame/errors.js';
import type { TaggedSentence } from './tnt.js';

export interface TagCorpus {
  readonly train: TaggedSentence[];
  readonly dev: TaggedSentence[];
  readonly test: TaggedSentence[];
}

/** `limit`: keep only the first N sentences of each split (smoke runs). */
export async function loadTagCorpus(o: {
  dataDir: string | undefined;
  limit?: number | undefined;
}): Promise<TagCorpus> {
  const ud = await loadUdEnglishEwt({ dataDir: o.dataDir });
  const split = (name: 'train' | 'dev' | 'test'): TaggedSentence[] => {
    const sentences = ud[name];
    if (!sentences) throw new UsageError(`UD English-EWT: the ${name} split is missing from the data folder`);
    const kept = o.limit === undefined ? sentences : sentences.slice(0, o.limit);
    return kept.map((s) => ({ words: s.map((t) => t.form), tags: s.map((t) => t.upos) }));
  };
  return { train: split('train'), dev: split('dev'), test: split('test') };
}

/** Whitespace tokenisation of a sentence typed on the command line. */
export function tokenize(text: string): string[] {
  return text.split(/\s+/u).filter((w) => w.length > 0);
}
