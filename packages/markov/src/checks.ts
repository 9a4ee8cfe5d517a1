/**
 * Checks of markov's own argument shapes (symbol sequences, probability rows, matrices). Generic
 * option checks (positive integers, temperatures) come from `@strand/base`.
 */
import { describeValue, InputError, type Sequence } from '@strand/base';

/** Copies a sequence of symbol ids into an Int32Array, checking each is an integer in [0, numSymbols). */
export function toSymbols(sequence: Sequence, numSymbols: number, label = 'sequence'): Int32Array {
  if (!(sequence instanceof Int32Array) && !Array.isArray(sequence)) {
    throw new InputError({
      what: label,
      expected: 'an array or Int32Array of symbol ids',
      received: describeValue(sequence),
    });
  }
  const out = sequence instanceof Int32Array ? sequence : new Int32Array(sequence.length);
  for (let i = 0; i < sequence.length; i++) {
    const s = sequence[i]!;
    if (!Number.isInteger(s) || s < 0 || s >= numSymbols) {
      throw new InputError({
        what: `symbol at position ${i} of ${label}`,
        expected: `an integer in [0, ${numSymbols})`,
        received: String(s),
        hint: 'map symbols outside the alphabet to an unknown symbol before calling',
      });
    }
    out[i] = s;
  }
  return out;
}

/** Throws unless the sequence list is non-empty and each sequence has at least `min` symbols. */
export function checkSequences(
  sequences: readonly { readonly length: number }[],
  label = 'sequences',
  min = 1,
): void {
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new InputError({
      what: label,
      expected: 'a non-empty array of sequences',
      received: Array.isArray(sequences) ? 'an empty array' : describeValue(sequences),
    });
  }
  for (let n = 0; n < sequences.length; n++) {
    const len = sequences[n]!.length;
    if (len < min) {
      throw new InputError({
        what: `sequence ${n} of ${label}`,
        expected: `at least ${min} symbol${min === 1 ? '' : 's'}`,
        received: len === 0 ? 'an empty sequence' : `${len}`,
      });
    }
  }
}

/**
 * Checks that x[offset .. offset + n) is a probability vector: entries in [0, 1] summing to 1
 * within `tolerance` (or to `total`, for rows that share mass with an end probability).
 */
export function checkDistribution(
  x: ArrayLike<number>,
  what: string,
  offset = 0,
  n = x.length - offset,
  tolerance = 1e-6,
  total = 1,
): void {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = x[offset + i]!;
    if (!(v >= 0 && v <= 1)) {
      throw new InputError({
        what: `${what}, entry ${i}`,
        expected: 'a probability in [0, 1]',
        received: String(v),
      });
    }
    sum += v;
  }
  if (Math.abs(sum - total) > tolerance) {
    throw new InputError({
      what,
      expected: `probabilities summing to ${total}`,
      received: `a sum of ${sum}`,
      hint: 'normalise each row (divide by its sum)',
    });
  }
}

/** Flattens a matrix given as rows (or already flat) into a Float64Array of rows * cols. */
export function toMatrix(
  x: readonly (readonly number[])[] | Float64Array | readonly number[],
  rows: number,
  cols: number,
  what: string,
): Float64Array {
  if (x instanceof Float64Array || (Array.isArray(x) && (x.length === 0 || typeof x[0] === 'number'))) {
    const flat = x as ArrayLike<number>;
    if (flat.length !== rows * cols) {
      throw new InputError({
        what,
        expected: `${rows * cols} numbers (${rows} x ${cols})`,
        received: `${flat.length}`,
      });
    }
    return Float64Array.from(flat);
  }
  const nested = x as readonly (readonly number[])[];
  if (nested.length !== rows) {
    throw new InputError({ what, expected: `${rows} rows`, received: `${nested.length} rows` });
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = nested[r]!;
    if (!row || row.length !== cols) {
      throw new InputError({
        what: `row ${r} of ${what}`,
        expected: `${cols} numbers`,
        received: row ? `${row.length}` : String(row),
      });
    }
    for (let c = 0; c < cols; c++) out[r * cols + c] = row[c]!;
  }
  return out;
}
