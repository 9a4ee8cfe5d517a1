/**
 * Token accuracy of a tagger, overall and on words unseen in training (exact form), and the
 * most-frequent-tag baseline every tagger has to beat.
 */
import type { TaggedSentence } from './tnt.js';

export interface TagScore {
  readonly accuracy: number;
  /** Accuracy on tokens whose form never occurs in the training split. */
  readonly unseenAccuracy: number;
  readonly tokens: number;
  readonly unseenTokens: number;
}

export function scoreTags(
  gold: readonly TaggedSentence[],
  predicted: readonly (readonly string[])[],
  trainWords: ReadonlySet<string>,
): TagScore {
  let right = 0;
  let tokens = 0;
  let unseen = 0;
  let unseenRight = 0;
  gold.forEach((s, n) => {
    s.tags.forEach((tag, i) => {
      const ok = predicted[n]![i] === tag;
      tokens++;
      if (ok) right++;
      if (!trainWords.has(s.words[i]!)) {
        unseen++;
        if (ok) unseenRight++;
      }
    });
  });
  return {
    accuracy: right / tokens,
    unseenAccuracy: unseen > 0 ? unseenRight / unseen : Number.NaN,
    tokens,
    unseenTokens: unseen,
  };
}

export function trainingWords(train: readonly TaggedSentence[]): Set<string> {
  return new Set(train.flatMap((s) => s.words));
}

/** Each known word's most frequent training tag (ties: the tag seen first); unseen words get the commonest tag. */
export function mostFrequentTag(train: readonly TaggedSentence[]): (word: string) => string {
  const perWord = new Map<string, Map<string, number>>();
  const overall = new Map<string, number>();
  for (const s of train)
    s.words.forEach((w, i) => {
      const t = s.tags[i]!;
      let m = perWord.get(w);
      if (!m) {
        m = new Map();
        perWord.set(w, m);
      }
      m.set(t, (m.get(t) ?? 0) + 1);
      overall.set(t, (overall.get(t) ?? 0) + 1);
    });
  const argmax = (m: Map<string, number>): string => {
    let best = '';
    let count = -1;
    for (const [t, c] of m) if (c > count) [best, count] = [t, c];
    return best;
  };
  const fallback = argmax(overall);
  const table = new Map([...perWord].map(([w, m]) => [w, argmax(m)] as const));
  return (word) => table.get(word) ?? fallback;
}
