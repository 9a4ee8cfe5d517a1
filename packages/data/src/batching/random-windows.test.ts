import { InputError, Rng } from '@strand/base';
import { describe, expect, test } from 'vitest';
import { randomWindows } from './random-windows.js';

const range = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

describe('randomWindows', () => {
  test('rows are windows of consecutive ids at starts drawn by rng.int(n - length)', () => {
    const ids = range(50).map((v) => 100 + v);
    const w = randomWindows(ids, { batchSize: 6, length: 8, rng: new Rng(11) });
    const ref = new Rng(11);
    expect([w.batch, w.length]).toEqual([6, 8]);
    for (let b = 0; b < 6; b++) {
      const s = ref.int(42);
      for (let t = 0; t < 8; t++) {
        expect(w.inputs[b * 8 + t]).toBe(100 + s + t);
        expect(w.targets[b * 8 + t]).toBe(100 + s + t + 1);
      }
    }
  });

  test('every start is reachable and the last target is the last id', () => {
    const ids = range(6); // length 5: the only start is 0
    const w = randomWindows(ids, { batchSize: 3, length: 5, rng: new Rng(1) });
    expect([...w.inputs]).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    expect([...w.targets.subarray(0, 5)]).toEqual([1, 2, 3, 4, 5]);
    const seen = new Set<number>();
    const rng = new Rng(2);
    for (let k = 0; k < 200; k++)
      seen.add(randomWindows(range(10), { batchSize: 1, length: 3, rng }).inputs[0]!);
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('seeded: the same seed gives the same batch', () => {
    const a = randomWindows(range(1000), { batchSize: 4, length: 16, rng: new Rng(5) });
    const b = randomWindows(range(1000), { batchSize: 4, length: 16, rng: new Rng(5) });
    expect(a).toEqual(b);
  });

  test('typed errors', () => {
    expect(() => randomWindows(range(5), { batchSize: 1, length: 5, rng: new Rng(1) })).toThrow(InputError);
    expect(() => randomWindows(range(50), { batchSize: 1, length: 5, rng: {} as Rng })).toThrow(/Rng/);
  });
});
