import { expectClose, expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { IdOutOfRangeError } from './errors.js';
import { oneHot } from './one-hot.js';

/** Values as a flat array, read asynchronously (WebGPU in Node cannot read synchronously). */
async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe.each(testBackends())('oneHot on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('encodes flat, nested and tensor ids', async () => {
    const a = await expectNoLeakedTensors(() => oneHot([0, 2, 1], 3));
    expectClose(await read(a), [
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    const b = oneHot(
      [
        [1, 0],
        [3, 3],
      ],
      4,
    );
    expect(b.shape).toEqual([2, 2, 4]);
    expectClose(await read(tf.argMax(b, -1)), [
      [1, 0],
      [3, 3],
    ]);
    const ids = tf.tensor1d([2], 'int32');
    expectClose(await read(oneHot(ids, 3)), [[0, 0, 1]]);
    tf.dispose([a, b, ids]);
  });

  it('names the offending id and its position', () => {
    expect(() => oneHot([0, 1, 5, 2], 3)).toThrow(
      'oneHot: id at index 2: expected an integer in [0, 3), received 5',
    );
    expect(() => oneHot([-1], 3)).toThrow(IdOutOfRangeError);
    expect(() => oneHot([0.5], 3)).toThrow(
      'oneHot: id at index 0: expected an integer in [0, 3), received 0.5. ids must be integers',
    );
    expect(() => oneHot([0], 0)).toThrow(/depth must be a positive integer/);
    const e = (() => {
      try {
        oneHot([[0, 9]], 4);
      } catch (error) {
        return error as IdOutOfRangeError;
      }
    })();
    expect([e?.id, e?.index, e?.size]).toEqual([9, 1, 4]);
  });
});
