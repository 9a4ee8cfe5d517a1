/** Train/validation splits: a contiguous cut of a text (nanoGPT), and a seeded (optionally stratified) split of items. */
import { ConfigError, finiteNumber, Rng, rate } from '@strand/base';

export interface SplitTextOptions {
  /** Fraction of the text, from the end, that becomes the validation part. In [0, 1). Default 0.1. */
  readonly validFraction?: number;
}

/**
 * First (1 - validFraction) of the text for training, the rest for validation, as nanoGPT's
 * `prepare.py` does (`train = data[:int(n*0.9)]`). `n` counts UTF-16 code units; a cut that would
 * fall inside a surrogate pair moves one unit later so that neither part holds half a character.
 *
 * @example
 * splitText('abcdefghij') // { train: 'abcdefghi', valid: 'j' }
 */
export function splitText(text: string, options: SplitTextOptions = {}): { train: string; valid: string } {
  const validFraction = rate(options.validFraction ?? 0.1, 'validFraction');
  let cut = Math.trunc(text.length * (1 - validFraction));
  const before = text.charCodeAt(cut - 1);
  if (cut > 0 && cut < text.length && before >= 0xd800 && before <= 0xdbff) cut++;
  return { train: text.slice(0, cut), valid: text.slice(cut) };
}

export interface SplitItemsOptions<T> {
  /** Fraction of the items (of each class, when stratified) that goes to validation, in [0, 1). */
  readonly validFraction: number;
  /** Seed of the draw: the same seed and items give the same split. */
  readonly seed: number;
  /** Class of an item: each class is split on its own, so both parts keep the class proportions. */
  readonly stratifyBy?: (item: T) => string;
  /**
   * Key of an item's group: items with one key always fall in the same part (one surname listed
   * under two languages, one sentence with several translations), so no held-out item is also a
   * training item under another label. With `stratifyBy`, a group counts in the class of its first
   * item. Default: every item is its own group.
   */
  readonly groupBy?: (item: T) => string;
}

/**
 * A seeded split of `items` into train and validation. Of each class of `stratifyBy` (all items
 * when absent; classes in code-point order) the groups are shuffled and taken into validation until
 * it holds `round(size * validFraction)` items of that class (exactly that many when every group is
 * one item, the default; at most one group over otherwise). Both parts keep the items' original order.
 *
 * @example
 * splitItems(names, { validFraction: 0.1, seed: 1, stratifyBy: (n) => n.label, groupBy: (n) => n.text })
 */
export function splitItems<T>(
  items: readonly T[],
  options: SplitItemsOptions<T>,
): { train: T[]; valid: T[] } {
  const validFraction = rate(options.validFraction, 'validFraction');
  const seed = finiteNumber(options.seed, 'seed');
  for (const key of ['stratifyBy', 'groupBy'] as const)
    if (options[key] !== undefined && typeof options[key] !== 'function')
      throw new ConfigError(`${key} must be a function from an item to a string key`, key);
  // Groups of item indices, in first-seen order; each group in the class of its first item.
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = options.groupBy ? String(options.groupBy(item)) : String(i);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [i]);
    else group.push(i);
  });
  const classes = new Map<string, { groups: number[][]; size: number }>();
  for (const group of groups.values()) {
    const key = options.stratifyBy ? String(options.stratifyBy(items[group[0]!]!)) : '';
    const entry = classes.get(key) ?? { groups: [], size: 0 };
    entry.groups.push(group);
    entry.size += group.length;
    classes.set(key, entry);
  }
  const rng = new Rng(seed);
  const isValid = new Uint8Array(items.length);
  const keys = [...classes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    const { groups: members, size } = classes.get(key)!;
    const nValid = Math.round(size * validFraction);
    let taken = 0;
    for (const group of rng.shuffle(members)) {
      if (taken >= nValid) break;
      for (const i of group) isValid[i] = 1;
      taken += group.length;
    }
  }
  const train: T[] = [];
  const valid: T[] = [];
  items.forEach((item, i) => {
    (isValid[i] ? valid : train).push(item);
  });
  return { train, valid };
}
