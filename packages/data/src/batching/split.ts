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
}

/**
 * A seeded split of `items` into train and validation. Of each group (all items, or each class of
 * `stratifyBy`, classes in code-point order) `round(size * validFraction)` items, drawn without
 * replacement, go to validation. Both parts keep the items' original order.
 *
 * @example
 * splitItems(names, { validFraction: 0.1, seed: 1, stratifyBy: (n) => n.label })
 */
export function splitItems<T>(
  items: readonly T[],
  options: SplitItemsOptions<T>,
): { train: T[]; valid: T[] } {
  const validFraction = rate(options.validFraction, 'validFraction');
  const seed = finiteNumber(options.seed, 'seed');
  if (options.stratifyBy !== undefined && typeof options.stratifyBy !== 'function') {
    throw new ConfigError('stratifyBy must be a function from an item to its class', 'stratifyBy');
  }
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = options.stratifyBy ? String(options.stratifyBy(item)) : '';
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [i]);
    else group.push(i);
  });
  const rng = new Rng(seed);
  const isValid = new Uint8Array(items.length);
  const keys = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    const group = rng.shuffle(groups.get(key)!);
    const nValid = Math.round(group.length * validFraction);
    for (let k = 0; k < nValid; k++) isValid[group[k]!] = 1;
  }
  const train: T[] = [];
  const valid: T[] = [];
  items.forEach((item, i) => {
    (isValid[i] ? valid : train).push(item);
  });
  return { train, valid };
}
