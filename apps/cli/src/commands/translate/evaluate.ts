/**
 * Test-set evaluation: corpus BLEU-4 of one decoded output per distinct source against all of that
 * source's translations in the split (BLEU's own multi-reference definition, as nltk's corpus_bleu
 * takes it), on whitespace words of the normalised text, overall and by source length (in words).
 */

import { InputError } from '@strand/base';
import type { TopLevelSpec } from 'vega-lite';
import { bleuFromStats, sentenceStats } from './bleu.js';
import { words } from './data.js';

export interface Bucket {
  /** e.g. "≤3", "5", "≥8" */
  readonly label: string;
  readonly min: number;
  readonly max: number;
}

export interface BucketScore extends Bucket {
  readonly sentences: number;
  /** BLEU × 100 */
  readonly bleu: number;
}

export interface Evaluation {
  /** BLEU × 100 on the whole test split. */
  readonly bleu: number;
  readonly precisions: readonly number[];
  readonly brevityPenalty: number;
  readonly buckets: readonly BucketScore[];
  readonly examples: readonly { source: string; references: readonly string[]; output: string }[];
}

/**
 * Source-length buckets over `lengths` with at least `minCount` sentences each: single lengths in
 * the middle, the short and long tails merged ("≤a", "≥b").
 */
export function lengthBuckets(lengths: readonly number[], minCount = 25): Bucket[] {
  const sorted = [...lengths].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const count = (lo: number, hi: number) => sorted.filter((l) => l >= lo && l <= hi).length;
  const lo0 = sorted[0]!;
  const hi0 = sorted[sorted.length - 1]!;
  let lo = lo0;
  while (lo < hi0 && count(lo0, lo) < minCount) lo++;
  let hi = hi0;
  while (hi > lo && count(hi, hi0) < minCount) hi--;
  const buckets: Bucket[] = [{ label: lo === lo0 ? `${lo}` : `≤${lo}`, min: lo0, max: lo }];
  for (let l = lo + 1; l < hi; l++) if (count(l, l) > 0) buckets.push({ label: `${l}`, min: l, max: l });
  if (hi > lo) buckets.push({ label: hi === hi0 ? `${hi}` : `≥${hi}`, min: hi, max: hi0 });
  return buckets;
}

/** @param sentences one per distinct source, with its references; `outputs` in the same order. */
export function evaluate(
  sentences: readonly { readonly source: string; readonly references: readonly string[] }[],
  outputs: readonly string[],
  buckets: readonly Bucket[],
): Evaluation {
  if (outputs.length !== sentences.length) {
    throw new InputError({
      what: 'translations to score',
      expected: `one per test sentence (${sentences.length})`,
      received: `${outputs.length}`,
    });
  }
  const stats = sentences.map((p, i) => sentenceStats(p.references.map(words), words(outputs[i]!)));
  const all = bleuFromStats(stats);
  const scored = buckets.map((b) => {
    const inside = stats.filter((_, i) => {
      const n = words(sentences[i]!.source).length;
      return n >= b.min && n <= b.max;
    });
    return { ...b, sentences: inside.length, bleu: 100 * bleuFromStats(inside).bleu };
  });
  return {
    bleu: 100 * all.bleu,
    precisions: all.precisions,
    brevityPenalty: all.brevityPenalty,
    buckets: scored,
    examples: sentences
      .slice(0, 8)
      .map((p, i) => ({ source: p.source, references: p.references, output: outputs[i]! })),
  };
}

/** BLEU by source length, one line per model (Bahdanau et al. 2015, Figure 2's shape). */
export function bucketChart(
  rows: readonly { readonly model: string; readonly buckets: readonly BucketScore[] }[],
): TopLevelSpec {
  const order = rows[0]?.buckets.map((b) => b.label) ?? [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'BLEU-4 by source sentence length (test split)',
    width: 420,
    height: 260,
    data: {
      values: rows.flatMap((r) =>
        r.buckets.map((b) => ({ model: r.model, length: b.label, bleu: b.bleu, sentences: b.sentences })),
      ),
    },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'length', type: 'ordinal', sort: order, title: 'source length (words)' },
      y: { field: 'bleu', type: 'quantitative', title: 'BLEU-4' },
      color: { field: 'model', type: 'nominal', title: 'model' },
    },
  };
}

/** The attention heatmap: source words across, target words down. */
export function attentionChart(
  weights: readonly (readonly number[])[],
  source: readonly string[],
  target: readonly string[],
): TopLevelSpec {
  const label = (w: string, i: number) => `${i + 1}:${w}`;
  const values = weights.flatMap((row, t) =>
    row.map((w, s) => ({
      source: label(source[s] ?? '?', s),
      target: label(target[t] ?? '?', t),
      weight: w,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'attention weights',
    data: { values },
    width: { step: 36 },
    height: { step: 28 },
    mark: 'rect',
    encoding: {
      x: {
        field: 'source',
        type: 'ordinal',
        sort: source.map(label),
        axis: { orient: 'top', labelAngle: -40, labelExpr: "split(datum.label, ':')[1]" },
        title: 'source',
      },
      y: {
        field: 'target',
        type: 'ordinal',
        sort: target.map(label),
        axis: { labelExpr: "split(datum.label, ':')[1]" },
        title: 'translation',
      },
      color: { field: 'weight', type: 'quantitative', scale: { scheme: 'greys', domain: [0, 1] } },
      tooltip: [{ field: 'weight', type: 'quantitative', format: '.2f' }],
    },
  };
}
