import { InputError } from '@strand/base';

export interface AttentionTableOptions {
  /** Column labels: the source tokens. */
  readonly source: readonly string[];
  /** Row labels: the target tokens (one row per decoding step). */
  readonly target: readonly string[];
  /** Digits after the point; default 2. */
  readonly digits?: number;
}

/**
 * Attention weights as a printable table: one row per target token, one column per source token,
 * with the largest weight of each row marked by `*`.
 * @param weights [targetLength][sourceLength], e.g. one sentence of `Seq2Seq.forward(...).attention`.
 *
 * @example
 * console.log(attentionTable(weights, { source: ['a', 'b'], target: ['b', 'a'] }));
 */
export function attentionTable(
  weights: readonly (readonly number[])[],
  { source, target, digits = 2 }: AttentionTableOptions,
): string {
  if (weights.length !== target.length || weights.some((r) => r.length !== source.length)) {
    throw new InputError({
      what: 'attention weights',
      expected: `${target.length} rows of ${source.length} (target × source)`,
      received: `${weights.length} rows of [${weights.map((r) => r.length).join(', ')}]`,
    });
  }
  const width = Math.max(digits + 3, ...source.map((s) => s.length));
  const label = Math.max(...target.map((t) => t.length), 1);
  const pad = (s: string, n: number) => s.padStart(n);
  const lines = [`${' '.repeat(label)} | ${source.map((s) => pad(s, width)).join(' ')}`];
  lines.push(`${'-'.repeat(label)}-+-${source.map(() => '-'.repeat(width)).join('-')}`);
  weights.forEach((row, i) => {
    const best = row.indexOf(Math.max(...row));
    const cells = row.map((w, j) => pad(`${j === best ? '*' : ''}${w.toFixed(digits)}`, width));
    lines.push(`${pad(target[i]!, label)} | ${cells.join(' ')}`);
  });
  return lines.join('\n');
}
