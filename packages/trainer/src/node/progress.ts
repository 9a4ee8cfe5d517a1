/**
 * Terminal progress for `train`: in a TTY a bar (cli-progress) with rate, ETA and loss; otherwise
 * a plain line every `every` seconds. Evaluations print a line either way.
 */
import cliProgress from 'cli-progress';
import type { BatchEndEvent, EvalEndEvent, TrainCallbacks } from '../loop/train.js';

export interface ProgressOptions {
  /** Default: a bar when stderr is a TTY, lines otherwise. */
  readonly mode?: 'bar' | 'lines';
  /** Seconds between plain lines. Default 10. */
  readonly every?: number;
  /** Default process.stderr. */
  readonly stream?: NodeJS.WriteStream;
}

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

function formatMetrics(m: Readonly<Record<string, number>>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
}

/** Callbacks that draw progress; call `stop()` when training ends (also done on the last step). */
export function progressReporter(options: ProgressOptions = {}): TrainCallbacks & { stop(): void } {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode ?? (stream.isTTY ? 'bar' : 'lines');
  const every = (options.every ?? 10) * 1000;
  let bar: cliProgress.SingleBar | null = null;
  let lastLine = Number.NEGATIVE_INFINITY;
  // Exponential moving average of the loss, bias-corrected as Adam's moments (so early values are not dragged to 0).
  let ema = 0;
  let emaWeight = 0;
  let smooth = Number.NaN;
  let tokens = 0;
  const stop = (): void => {
    bar?.stop();
    bar = null;
  };
  return {
    stop,
    onBatchEnd(e: BatchEndEvent) {
      if (Number.isFinite(e.loss)) {
        ema = 0.9 * ema + 0.1 * e.loss;
        emaWeight = 0.9 * emaWeight + 0.1;
        smooth = ema / emaWeight;
      }
      tokens += e.tokens;
      const seconds = e.elapsedMs / 1000;
      const rate = tokens / Math.max(seconds, 1e-9);
      if (mode === 'bar') {
        if (bar === null) {
          bar = new cliProgress.SingleBar(
            {
              stream,
              format:
                'step {value}/{total} |{bar}| {percentage}% | loss {loss} | {rate} tok/s | ETA {eta_formatted}',
              etaBuffer: 50,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.totalSteps ?? e.step, 0, { loss: '-', rate: '-' });
        }
        if (e.totalSteps === undefined) bar.setTotal(e.step);
        bar.update(e.step, { loss: fmt(smooth), rate: rate.toFixed(0) });
        if (e.totalSteps !== undefined && e.step >= e.totalSteps) stop();
      } else if (e.elapsedMs - lastLine >= every || e.step === e.totalSteps) {
        lastLine = e.elapsedMs;
        const total = e.totalSteps === undefined ? '' : `/${e.totalSteps}`;
        const eta =
          e.totalSteps === undefined
            ? ''
            : `, ETA ${(((e.totalSteps - e.step) * seconds) / e.step).toFixed(0)} s`;
        stream.write(
          `step ${e.step}${total} epoch ${e.epoch}: loss ${fmt(smooth)} (${fmt(e.loss)}), ` +
            `grad norm ${fmt(e.gradNorm, 3)}, lr ${e.lr.toExponential(2)}, ${rate.toFixed(0)} tok/s, ${seconds.toFixed(0)} s${eta}\n`,
        );
      }
    },
    onEvalEnd(e: EvalEndEvent) {
      const line = `eval at step ${e.step}: ${formatMetrics(e.metrics)}${e.improved ? ' (best)' : ''}`;
      if (bar) bar.stop();
      bar = null;
      stream.write(`${line}\n`);
    },
  };
}
