/**
 * How the held-out names relate to the training names. The data set lists some surnames under
 * several languages ("Abel", "Petersen", "Schneider"), and a line-level split can put one copy in
 * training and another in the held-out part. A held-out name whose exact text occurs in training
 * only under other languages is one that any classifier true to its training labels gets wrong, so
 * the share of such names bounds the accuracy from above; accuracy on the unseen names is the
 * figure that measures generalisation.
 */
import type { NameExample } from '@strand/data';

/** 'unseen': not in training; 'same': in training under its own language (maybe others too); 'other': only under other languages. */
export type Overlap = 'unseen' | 'same' | 'other';
const OVERLAPS: readonly Overlap[] = ['unseen', 'same', 'other'];

export function overlapWithTraining(
  train: readonly NameExample[],
  heldOut: readonly NameExample[],
): Overlap[] {
  const languages = new Map<string, Set<string>>();
  for (const n of train) {
    const seen = languages.get(n.text) ?? new Set<string>();
    seen.add(n.label);
    languages.set(n.text, seen);
  }
  return heldOut.map((n) => {
    const seen = languages.get(n.text);
    return seen === undefined ? 'unseen' : seen.has(n.label) ? 'same' : 'other';
  });
}

export interface OverlapPart {
  readonly count: number;
  /** Accuracy of `predicted` on this part (NaN when the part is empty). */
  readonly accuracy: number;
}

/** Accuracy on each part of the held-out names; `truth` and `predicted` are class ids in held-out order. */
export function accuracyByOverlap(
  overlap: readonly Overlap[],
  truth: readonly number[],
  predicted: readonly number[],
): Record<Overlap, OverlapPart> {
  const parts = Object.fromEntries(OVERLAPS.map((o) => [o, { count: 0, correct: 0 }])) as Record<
    Overlap,
    { count: number; correct: number }
  >;
  overlap.forEach((o, i) => {
    parts[o].count += 1;
    if (truth[i] === predicted[i]) parts[o].correct += 1;
  });
  return Object.fromEntries(
    OVERLAPS.map((o) => [o, { count: parts[o].count, accuracy: parts[o].correct / parts[o].count }]),
  ) as Record<Overlap, OverlapPart>;
}

/** The best accuracy a classifier true to its training labels can reach: every 'other' name is lost. */
export function overlapCeiling(overlap: readonly Overlap[]): number {
  return overlap.length === 0 ? 1 : 1 - overlap.filter((o) => o === 'other').length / overlap.length;
}
