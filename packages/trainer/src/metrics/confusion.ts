/**
 * A confusion matrix over C classes: counts[true * C + predicted] in an Int32Array (rows are the
 * true class, columns the prediction, as sklearn's confusion_matrix), with per-class precision,
 * recall and F1, macro-F1 and the most confused pairs. Tensor-free: feed it ids (for a tagger,
 * `argMax(logits, -1)` read once per batch).
 *
 * Zero divisions give 0 (sklearn's zero_division=0). Macro averages run over the classes that
 * occur as a truth or a prediction (sklearn's default label set).
 */
import { IdOutOfRangeError, InputError, positiveInteger } from '@strand/base';

export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Occurrences of the class as the truth. */
  readonly support: number;
}

export interface ConfusedPair {
  readonly truth: number;
  readonly predicted: number;
  readonly count: number;
}

export interface ConfusionMatrixJSON {
  readonly numClasses: number;
  readonly counts: readonly number[];
}

export class ConfusionMatrix {
  readonly numClasses: number;
  /** Row-major [truth, predicted] counts, length numClasses². */
  readonly counts: Int32Array;

  constructor(numClasses: number) {
    this.numClasses = positiveInteger(numClasses, 'numClasses');
    this.counts = new Int32Array(numClasses * numClasses);
  }

  /**
   * Adds pairs (truth[i], predicted[i]); positions whose truth equals `ignoreIndex` (default
   * -100) or whose `mask` is 0 are skipped.
   */
  add(
    truth: ArrayLike<number>,
    predicted: ArrayLike<number>,
    options: { readonly ignoreIndex?: number; readonly mask?: ArrayLike<number> } = {},
  ): this {
    if (truth.length !== predicted.length || (options.mask && options.mask.length !== truth.length)) {
      throw new InputError({
        what: 'ConfusionMatrix.add lengths',
        expected: `equal lengths (truth ${truth.length})`,
        received: `predicted ${predicted.length}${options.mask ? `, mask ${options.mask.length}` : ''}`,
      });
    }
    const ignore = options.ignoreIndex ?? -100;
    const C = this.numClasses;
    // Check first, so a bad id leaves the counts as they were.
    for (let i = 0; i < truth.length; i++) {
      if (truth[i] === ignore || (options.mask && options.mask[i] === 0)) continue;
      const t = truth[i]!;
      const p = predicted[i]!;
      if (!Number.isInteger(t) || t < 0 || t >= C) throw new IdOutOfRangeError(t, i, C, 'true class');
      if (!Number.isInteger(p) || p < 0 || p >= C) throw new IdOutOfRangeError(p, i, C, 'predicted class');
    }
    for (let i = 0; i < truth.length; i++) {
      if (truth[i] === ignore || (options.mask && options.mask[i] === 0)) continue;
      this.counts[truth[i]! * C + predicted[i]!]! += 1;
    }
    return this;
  }

  /** counts[truth][predicted]. */
  get(truth: number, predicted: number): number {
    return this.counts[truth * this.numClasses + predicted] ?? 0;
  }

  get total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** Fraction on the diagonal (NaN when empty). */
  accuracy(): number {
    let diag = 0;
    for (let c = 0; c < this.numClasses; c++) diag += this.get(c, c);
    const total = this.total;
    return total === 0 ? Number.NaN : diag / total;
  }

  scores(c: number): ClassScores {
    const C = this.numClasses;
    let predictedAs = 0;
    let support = 0;
    for (let k = 0; k < C; k++) {
      predictedAs += this.get(k, c);
      support += this.get(c, k);
    }
    const tp = this.get(c, c);
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  }

  /** Scores of every class, by id. */
  perClass(): ClassScores[] {
    return Array.from({ length: this.numClasses }, (_, c) => this.scores(c));
  }

  /** Classes that occur as a truth or as a prediction. */
  presentClasses(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.numClasses; c++) {
      let seen = false;
      for (let k = 0; k < this.numClasses && !seen; k++) seen = this.get(c, k) > 0 || this.get(k, c) > 0;
      if (seen) out.push(c);
    }
    return out;
  }

  /** Unweighted mean F1 over the present classes (0 when empty). */
  macroF1(): number {
    const present = this.presentClasses();
    if (present.length === 0) return 0;
    return present.reduce((s, c) => s + this.scores(c).f1, 0) / present.length;
  }

  /** The `k` largest off-diagonal cells, largest first (ties: by truth, then prediction). */
  mostConfused(k = 10): ConfusedPair[] {
    const pairs: ConfusedPair[] = [];
    for (let t = 0; t < this.numClasses; t++) {
      for (let p = 0; p < this.numClasses; p++) {
        const count = this.get(t, p);
        if (t !== p && count > 0) pairs.push({ truth: t, predicted: p, count });
      }
    }
    pairs.sort((a, b) => b.count - a.count || a.truth - b.truth || a.predicted - b.predicted);
    return pairs.slice(0, k);
  }

  reset(): void {
    this.counts.fill(0);
  }

  toJSON(): ConfusionMatrixJSON {
    return { numClasses: this.numClasses, counts: Array.from(this.counts) };
  }

  static fromJSON(json: ConfusionMatrixJSON): ConfusionMatrix {
    const m = new ConfusionMatrix(json?.numClasses);
    if (!Array.isArray(json.counts) || json.counts.length !== m.counts.length) {
      throw new InputError({
        what: 'ConfusionMatrix JSON counts',
        expected: `an array of ${m.counts.length} counts`,
        received: Array.isArray(json.counts) ? `${json.counts.length} counts` : typeof json.counts,
      });
    }
    for (const [i, v] of json.counts.entries()) {
      if (!Number.isSafeInteger(v) || v < 0 || v > 0x7fffffff) {
        throw new InputError({
          what: `ConfusionMatrix JSON counts[${i}]`,
          expected: 'a non-negative integer',
          received: String(v),
        });
      }
      m.counts[i] = v;
    }
    return m;
  }
}
