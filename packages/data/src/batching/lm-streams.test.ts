import { ConfigError, IdOutOfRangeError, InputError } from '@strand/base';
import { describe, expect, test } from 'vitest';
import { lmStreams } from './lm-streams.js';

const range = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

describe('lmStreams', () => {
  test('hand-checked: 10 ids, 2 streams, chunks of 3', () => {
    const s = lmStreams(range(10), { batchSize: 2, chunkLength: 3 });
    expect([s.streamLength, s.numChunks, s.batchSize, s.chunkLength]).toEqual([5, 2, 2, 3]);
    const c0 = s.chunk(0);
    expect([...c0.inputs]).toEqual([0, 1, 2, 5, 6, 7]);
    expect([...c0.targets]).toEqual([1, 2, 3, 6, 7, 8]);
    expect([c0.batch, c0.length]).toEqual([2, 3]);
    const c1 = s.chunk(1);
    expect([...c1.inputs]).toEqual([3, 8]);
    expect([...c1.targets]).toEqual([4, 9]);
    expect(c1.length).toBe(1);
  });

  test('on ids 0..N: stream b chunk i starts at b*streamLength + i*chunkLength; targets shift by one', () => {
    const n = 1003;
    const batchSize = 7;
    const chunkLength = 11;
    const s = lmStreams(range(n), { batchSize, chunkLength });
    const L = Math.floor(n / batchSize); // 143, the last 2 ids are dropped (as PyTorch's batchify)
    expect(s.streamLength).toBe(L);
    expect(s.numChunks).toBe(Math.ceil((L - 1) / chunkLength));
    let steps = 0;
    for (let i = 0; i < s.numChunks; i++) {
      const c = s.chunk(i);
      for (let b = 0; b < batchSize; b++) {
        for (let t = 0; t < c.length; t++) {
          expect(c.inputs[b * c.length + t]).toBe(b * L + i * chunkLength + t);
          expect(c.targets[b * c.length + t]).toBe(b * L + i * chunkLength + t + 1);
        }
      }
      steps += c.length;
    }
    // every id of a stream but the last is an input exactly once; no target crosses into the next stream
    expect(steps).toBe(L - 1);
    expect(s.chunk(s.numChunks - 1).targets.at(-1)).toBe(batchSize * L - 1);
  });

  test('chunks are independent of the order asked (resume by index)', () => {
    const s = lmStreams(range(200), { batchSize: 4, chunkLength: 5 });
    const later = s.chunk(6);
    s.chunk(0);
    expect(s.chunk(6)).toEqual(later);
  });

  test('typed errors', () => {
    expect(() => lmStreams(range(3), { batchSize: 2, chunkLength: 3 })).toThrow(InputError);
    expect(() => lmStreams(range(30), { batchSize: 0, chunkLength: 3 })).toThrow(ConfigError);
    expect(() => lmStreams([1, 2, 3] as unknown as Int32Array, { batchSize: 1, chunkLength: 1 })).toThrow(
      /Int32Array/,
    );
    const s = lmStreams(range(30), { batchSize: 2, chunkLength: 3 });
    expect(() => s.chunk(s.numChunks)).toThrow(IdOutOfRangeError);
    expect(() => s.chunk(-1)).toThrow(IdOutOfRangeError);
    expect(() => s.chunk(0.5)).toThrow(IdOutOfRangeError);
  });
});
