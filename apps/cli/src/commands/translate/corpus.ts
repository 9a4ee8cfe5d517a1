/** Reading the English→French pairs from the data directory (Node) into a translate corpus. */
import { loadEngFra } from '@strand/data/node';
import { buildCorpus, type Corpus, type TokenizerKind } from './data.js';

export async function loadCorpus(options: {
  readonly dataDir: string | undefined;
  readonly seed: number;
  readonly tokenizer: TokenizerKind;
  readonly bpeVocab: number;
  readonly limit?: number | undefined;
}): Promise<Corpus> {
  const all = await loadEngFra({ dataDir: options.dataDir, normalize: true });
  const pairs = options.limit === undefined ? all : all.slice(0, options.limit);
  return buildCorpus(pairs, options);
}
