import { useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Reads, readAsync, readSync, type TokenReads, tokensAsync, tokensSync } from './reads.js';

/** Reads two tensors, returns their values' sum; records whether its finally ran. */
function* summing(log: string[], second: () => tf.Tensor): Reads<number> {
  try {
    const a = yield tf.tensor1d([1, 2]);
    const b = yield second();
    return [...a, ...b].reduce((x, y) => x + y, 0);
  } finally {
    log.push('finally');
  }
}

function* tokens(log: string[]): TokenReads {
  try {
    for (let i = 0; i < 5; i++) {
      const v = yield tf.scalar(i * 10, 'int32');
      yield v[0]!;
    }
  } finally {
    log.push('finally');
  }
}

describe('device reads (one algorithm, a sync and an async driver)', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('both drivers feed the values back and dispose every yielded tensor', async () => {
    const before = tf.memory().numTensors;
    const log: string[] = [];
    expect(readSync(summing(log, () => tf.tensor1d([3])))).toBe(6);
    expect(await readAsync(summing(log, () => tf.tensor1d([4])))).toBe(7);
    expect(tf.memory().numTensors).toBe(before);
    expect(log).toEqual(['finally', 'finally']);
  });

  it('a failed read ends the algorithm (its finally runs) and the error propagates', async () => {
    const disposed = () => {
      const t = tf.tensor1d([1]);
      t.dispose();
      return t;
    };
    const log: string[] = [];
    expect(() => readSync(summing(log, disposed))).toThrow(/disposed/);
    await expect(readAsync(summing(log, disposed))).rejects.toThrow(/disposed/);
    expect(log).toEqual(['finally', 'finally']);
  });

  it('token streams yield the tokens, and breaking out runs the finally', async () => {
    const log: string[] = [];
    expect([...tokensSync(tokens(log))]).toEqual([0, 10, 20, 30, 40]);
    const got: number[] = [];
    for await (const t of tokensAsync(tokens(log))) {
      got.push(t);
      if (t === 10) break;
    }
    expect(got).toEqual([0, 10]);
    for (const t of tokensSync(tokens(log))) if (t === 0) break;
    expect(log).toEqual(['finally', 'finally', 'finally']);
  });
});
