/** The confusion matrix as people read it: a printed grid, the most-confused pairs, an SVG heatmap. */
import type { ConfusionMatrix } from '@strand/trainer';
import type { TopLevelSpec } from 'vega-lite';
import { table } from '../../frame/output.js';
import { renderSvg } from '../../frame/plot.js';

/** Rows: true class; columns: prediction (3-letter heads). */
export function confusionGrid(cm: ConfusionMatrix, labels: readonly string[]): string {
  const head = ['truth \\ predicted', ...labels.map((l) => l.slice(0, 3))];
  const rows = labels.map((l, t) => [l, ...labels.map((_, p) => String(cm.get(t, p) || '.'))]);
  return table([head, ...rows.map((r) => r.map((c, i) => (i === 0 ? c : c.padStart(3))))]);
}

export function confusedPairs(
  cm: ConfusionMatrix,
  labels: readonly string[],
  k = 5,
): { truth: string; predicted: string; count: number }[] {
  return cm.mostConfused(k).map((p) => ({
    truth: labels[p.truth]!,
    predicted: labels[p.predicted]!,
    count: p.count,
  }));
}

/** A heatmap of row-normalised counts (the recall of each true class spread over predictions). */
export async function confusionSvg(cm: ConfusionMatrix, labels: readonly string[], title: string) {
  const values: { truth: string; predicted: string; count: number; share: number }[] = [];
  labels.forEach((t, i) => {
    let row = 0;
    for (let j = 0; j < labels.length; j++) row += cm.get(i, j);
    labels.forEach((p, j) => {
      const count = cm.get(i, j);
      values.push({ truth: t, predicted: p, count, share: row === 0 ? 0 : count / row });
    });
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    width: 480,
    height: 480,
    layer: [
      {
        mark: 'rect',
        encoding: {
          x: { field: 'predicted', type: 'nominal', sort: [...labels], title: 'predicted' },
          y: { field: 'truth', type: 'nominal', sort: [...labels], title: 'true language' },
          color: {
            field: 'share',
            type: 'quantitative',
            scale: { scheme: 'blues', domain: [0, 1] },
            title: 'share of row',
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 8 },
        encoding: {
          x: { field: 'predicted', type: 'nominal', sort: [...labels] },
          y: { field: 'truth', type: 'nominal', sort: [...labels] },
          text: { condition: { test: 'datum.count > 0', field: 'count' }, value: '' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
  return renderSvg(spec);
}
