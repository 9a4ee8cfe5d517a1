/**
 * The names data set as the command uses it: a fixed, seeded, stratified 10% held-out split (the
 * same for every run and every --seed, so figures compare), one vocabulary holding the characters
 * and one `<Language>` token per language (the generator's first input).
 */
import { buildVocabulary, createVocabulary, type Vocabulary } from '@strand/base';
import { type NameExample, splitItems } from '@strand/data';
import { loadNames } from '@strand/data/node';
import type { Example } from './classifier.js';

/** The split's seed: fixed, independent of --seed. */
export const SPLIT_SEED = 2024;
export const HELD_OUT_FRACTION = 0.1;

export interface NamesSet {
  readonly labels: readonly string[];
  readonly train: readonly NameExample[];
  readonly valid: readonly NameExample[];
  /** Characters of the training names plus the language tokens. */
  readonly vocabulary: Vocabulary;
  /** Every name of the (possibly limited) data set, for marking generated names. */
  readonly all: readonly NameExample[];
}

export function languageToken(label: string): string {
  return `<${label}>`;
}

export async function loadNamesSet(options: {
  readonly dataDir: string | undefined;
  readonly limit?: number | undefined;
}): Promise<NamesSet> {
  const data = await loadNames(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  let items: readonly NameExample[] = data.items;
  if (options.limit !== undefined && options.limit < items.length) {
    // --limit: a stratified sample of the real data (tests, smoke runs).
    items = splitItems(items, {
      validFraction: options.limit / items.length,
      seed: SPLIT_SEED + 1,
      stratifyBy: (n) => n.label,
    }).valid;
  }
  const { train, valid } = splitItems(items, {
    validFraction: HELD_OUT_FRACTION,
    seed: SPLIT_SEED,
    stratifyBy: (n) => n.label,
  });
  const chars = buildVocabulary(train.map((n) => [...n.text]));
  const tokens = [...chars.toJSON().tokens.slice(4), ...data.labels.map(languageToken)];
  return { labels: data.labels, train, valid, vocabulary: createVocabulary(tokens), all: items };
}

/** Names as classifier examples (unknown characters -> <unk>). */
export function toExamples(
  names: readonly NameExample[],
  labels: readonly string[],
  vocabulary: Vocabulary,
): Example[] {
  const index = new Map(labels.map((l, i) => [l, i]));
  return names.map((n) => ({ ids: vocabulary.encode([...n.text]), label: index.get(n.label)! }));
}

/** The majority-class floor: always the most frequent training language. */
export function majorityFloor(
  train: readonly NameExample[],
  valid: readonly NameExample[],
): { readonly label: string; readonly accuracy: number } {
  const counts = new Map<string, number>();
  for (const n of train) counts.set(n.label, (counts.get(n.label) ?? 0) + 1);
  const label = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  return { label, accuracy: valid.filter((n) => n.label === label).length / Math.max(1, valid.length) };
}
