/** Seeded epoch orders. */
import { nonNegativeInteger, Rng } from '@strand/base';

/**
 * A permutation of [0, n) by Fisher-Yates with `new Rng(seed)`, the same draws as `Rng.shuffle` on
 * `[0, 1, ..., n - 1]`. For a new order each epoch, derive the seed: `shuffledIndices(n, deriveSeed(seed, 'epoch', e))`.
 */
export function shuffledIndices(n: number, seed: number): Int32Array {
  nonNegativeInteger(n, 'n');
  const rng = new Rng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
