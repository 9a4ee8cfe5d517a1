/**
 * Charts: in the terminal with asciichart, as SVG files with Vega-Lite (rendered headless by Vega,
 * no browser or canvas needed).
 */
import * as asciichart from 'asciichart';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: compiled } = compile(spec);
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const COLORS = [
  asciichart.blue,
  asciichart.red,
  asciichart.green,
  asciichart.magenta,
  asciichart.cyan,
  asciichart.yellow,
];

/**
 * Several series in one terminal chart; `width` columns by resampling each series (max per bin,
 * so spikes stay visible). Colour only when `color` (a terminal).
 */
export function terminalChart(
  series: readonly { readonly name: string; readonly values: readonly number[] }[],
  { height = 12, width = 72, color = false, format = (y: number) => y.toFixed(2) } = {},
): string {
  const resampled = series.map((s) => resample(s.values, width));
  const chart = asciichart.plot(resampled, {
    height,
    ...(color ? { colors: series.map((_, i) => COLORS[i % COLORS.length]!) } : {}),
    format: (y: number) => format(y).padStart(9),
  });
  const legend = series
    .map((s, i) => `${color ? COLORS[i % COLORS.length] : ''}━━ ${s.name}${color ? asciichart.reset : ''}`)
    .join('   ');
  return `${chart}\n${' '.repeat(11)}${legend}`;
}

function resample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const from = Math.floor((i * values.length) / width);
    const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / width));
    let best = Number.NEGATIVE_INFINITY;
    for (let j = from; j < to; j++) best = Math.max(best, values[j]!);
    out.push(best);
  }
  return out;
}
