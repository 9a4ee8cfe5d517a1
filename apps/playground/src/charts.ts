/**
 * Every chart on the page, drawn by Chart.js (line charts) and its matrix plugin (heatmaps).
 * `chartPoints` counts what each named chart holds, for the browser tests.
 */
import {
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Legend,
  Title,
  Tooltip,
  MatrixController,
  MatrixElement,
);

/** Number of data points each named chart holds (read by the tests through window.__playground). */
export const chartPoints: Record<string, number> = {};

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** The live loss chart: training loss per step and validation loss per evaluation. */
export class LossChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;
  private pending = false;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'train loss', data: [], borderColor: COLORS[0], pointRadius: 0, borderWidth: 1.5 },
          { label: 'validation loss', data: [], borderColor: COLORS[1], pointRadius: 2, borderWidth: 1.5 },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' } },
          y: { type: 'linear', title: { display: true, text: 'loss (nats per character)' } },
        },
      },
    });
  }

  add(series: 'train' | 'valid', step: number, loss: number): void {
    this.chart.data.datasets[series === 'train' ? 0 : 1]!.data.push({ x: step, y: loss });
    chartPoints['loss'] = this.chart.data.datasets.reduce((n, d) => n + d.data.length, 0);
    // One redraw per frame, however many points arrive.
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.chart.update('none');
    });
  }

  clear(): void {
    for (const d of this.chart.data.datasets) d.data = [];
    chartPoints['loss'] = 0;
    this.chart.update('none');
  }
}

/** Makes a canvas in a sized box under `parent`. */
export function chartBox(parent: HTMLElement, size: 'small' | 'wide' = 'wide'): HTMLCanvasElement {
  const box = document.createElement('div');
  box.className = `chart ${size}`;
  const canvas = document.createElement('canvas');
  box.append(canvas);
  parent.append(box);
  return canvas;
}

/** Blue (negative) through white to red (positive), or white to blue for [0, 1] values. */
function colour(v: number, min: number, max: number): string {
  if (min < 0) {
    const m = Math.max(Math.abs(min), Math.abs(max)) || 1;
    const a = Math.min(1, Math.abs(v) / m);
    return v < 0 ? `rgba(33, 102, 172, ${a})` : `rgba(178, 24, 43, ${a})`;
  }
  const a = max > min ? (v - min) / (max - min) : 0;
  return `rgba(33, 102, 172, ${Math.max(0, Math.min(1, a))})`;
}

export interface HeatmapOptions {
  readonly name: string;
  readonly title: string;
  /** Column labels (x) and row labels (y). */
  readonly columns: readonly string[];
  readonly rows: readonly string[];
  /** values[row][column] */
  readonly values: readonly (readonly number[])[];
}

/** A heatmap: one cell per (row, column). */
export function heatmap(canvas: HTMLCanvasElement, o: HeatmapOptions): Chart {
  const flat = o.values.flat();
  const min = Math.min(...flat);
  const max = Math.max(...flat);
  const columns = o.columns.map((c, i) => `${i}:${c === ' ' ? '␣' : c === '\n' ? '⏎' : c}`);
  const rows = o.rows.map((r, i) => `${i}:${r}`);
  const data = o.values.flatMap((row, y) => row.map((v, x) => ({ x: columns[x]!, y: rows[y]!, v })));
  chartPoints[o.name] = data.length;
  const config: ChartConfiguration<'matrix', typeof data> = {
    type: 'matrix',
    data: {
      datasets: [
        {
          label: o.title,
          data,
          backgroundColor: (c) => colour((c.raw as { v: number }).v, min, max),
          width: ({ chart }) => (chart.chartArea?.width ?? 0) / columns.length - 1,
          height: ({ chart }) => (chart.chartArea?.height ?? 0) / rows.length - 1,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false }, title: { display: true, text: o.title } },
      scales: {
        x: {
          type: 'category',
          labels: columns,
          ticks: { callback: (_v, i) => columns[i]!.split(':').slice(1).join(':'), autoSkip: false },
          grid: { display: false },
        },
        y: {
          type: 'category',
          labels: rows,
          offset: true,
          reverse: true,
          ticks: { callback: (_v, i) => rows[i]!.split(':').slice(1).join(':'), autoSkip: true },
          grid: { display: false },
        },
      },
    },
  };
  return new Chart(canvas, config as ChartConfiguration);
}

/** Several lines over a shared x axis (log y when asked). */
export function lineChart(
  canvas: HTMLCanvasElement,
  o: {
    name: string;
    title: string;
    xLabel: string;
    yLabel: string;
    logY?: boolean;
    series: readonly { label: string; points: readonly { x: number; y: number }[] }[];
  },
): Chart {
  chartPoints[o.name] = o.series.reduce((n, s) => n + s.points.length, 0);
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: o.series.map((s, i) => ({
        label: s.label,
        data: [...s.points],
        borderColor: COLORS[i % COLORS.length],
        pointRadius: 0,
        borderWidth: 2,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: { title: { display: true, text: o.title } },
      scales: {
        x: { type: 'linear', title: { display: true, text: o.xLabel } },
        y: { type: o.logY ? 'logarithmic' : 'linear', title: { display: true, text: o.yLabel } },
      },
    },
  });
}
