import * as tf from '@tensorflow/tfjs-core';
import { type ConformanceCase, conformanceCases } from './cases.js';

export interface CaseResult {
  readonly name: string;
  readonly backend: string;
  /** Largest |value - reference| over the loss, the outputs and every gradient. */
  readonly maxAbsDiff: number;
  /** Largest |value - reference| / (atol + rtol |reference|): at most 1 passes. */
  readonly worstRatio: number;
  /** Tensors left alive by the case (must be 0). */
  readonly leaked: number;
  readonly ok: boolean;
  readonly error?: string;
}

/** Loss, outputs and the gradient of the loss with respect to every input, as plain arrays. */
async function evaluate(c: ConformanceCase): Promise<{ arrays: Float32Array[]; leaked: number }> {
  const before = tf.memory().numTensors;
  const tensors = tf.tidy(() => {
    const xs = c.inputs();
    const { value, grads } = tf.valueAndGrads((...args: tf.Tensor[]) => c.f(...args).loss)(xs);
    return [value, ...c.f(...xs).outputs, ...grads];
  });
  const arrays = await Promise.all(
    tensors.map(async (t) => Float32Array.from((await t.data()) as Float32Array)),
  );
  tf.dispose(tensors);
  return { arrays, leaked: tf.memory().numTensors - before };
}

function compare(
  c: ConformanceCase,
  got: Float32Array[],
  want: Float32Array[],
): { maxAbsDiff: number; worstRatio: number } {
  let maxAbsDiff = 0;
  let worstRatio = 0;
  if (got.length !== want.length)
    return { maxAbsDiff: Number.POSITIVE_INFINITY, worstRatio: Number.POSITIVE_INFINITY };
  for (let k = 0; k < got.length; k++) {
    const a = got[k]!;
    const b = want[k]!;
    if (a.length !== b.length)
      return { maxAbsDiff: Number.POSITIVE_INFINITY, worstRatio: Number.POSITIVE_INFINITY };
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      if (!(d <= maxAbsDiff) && !Number.isNaN(d)) maxAbsDiff = d;
      const ratio = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d / (c.atol + c.rtol * Math.abs(b[i]!));
      if (ratio > worstRatio) worstRatio = ratio;
    }
  }
  return { maxAbsDiff, worstRatio };
}

/**
 * Runs every case (forward and gradients) on `backend` and on `reference` (default cpu) and compares
 * them within each case's tolerance. Both backends must be registered; `backend` is selected afterwards.
 */
export async function runConformance(
  backend: string,
  {
    reference = 'cpu',
    cases = conformanceCases,
  }: { reference?: string; cases?: readonly ConformanceCase[] } = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    try {
      await tf.setBackend(reference);
      const want = await evaluate(c);
      await tf.setBackend(backend);
      const got = await evaluate(c);
      const { maxAbsDiff, worstRatio } = compare(c, got.arrays, want.arrays);
      results.push({
        name: c.name,
        backend,
        maxAbsDiff,
        worstRatio,
        leaked: got.leaked,
        ok: worstRatio <= 1 && got.leaked === 0,
      });
    } catch (error) {
      results.push({
        name: c.name,
        backend,
        maxAbsDiff: Number.NaN,
        worstRatio: Number.NaN,
        leaked: 0,
        ok: false,
        error: (error as Error).message,
      });
    }
  }
  await tf.setBackend(backend);
  return results;
}

/** A plain-text table of results, one case a line. */
export function formatConformance(results: readonly CaseResult[]): string {
  const rows = results.map(
    (r) =>
      `${r.ok ? 'ok  ' : 'FAIL'} ${r.backend.padEnd(7)} ${r.name.padEnd(62)} max|diff| ${r.maxAbsDiff.toExponential(2)}  ` +
      `tol-ratio ${r.worstRatio.toFixed(3)}  leaked ${r.leaked}${r.error ? `  error: ${r.error}` : ''}`,
  );
  return rows.join('\n');
}
