import { ConfigError, InputError, ShapeError } from '@strand/base';
import { disposeParameters } from '@strand/core';
import { useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { initMultiHeadAttention, multiHeadAttention } from './multi-head.js';
import { initLearnedPositions, learnedPositions } from './positional.js';
import { scaledDotProductAttention } from './scaled-dot-product.js';

describe('bad input: typed errors naming expected and received', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  test('mismatched head sizes, masks that do not broadcast, wrong input sizes', () => {
    tf.tidy(() => {
      const q = tf.zeros([2, 3, 4]);
      expect(() => scaledDotProductAttention(q, tf.zeros([2, 5, 3]), tf.zeros([2, 5, 2]))).toThrow(
        /key: expected shape \[2, \?, 4\], received \[2, 5, 3\]/,
      );
      expect(() => scaledDotProductAttention(q, tf.zeros([2, 5, 4]), tf.zeros([2, 4, 2]))).toThrow(
        ShapeError,
      );
      expect(() =>
        scaledDotProductAttention(q, tf.zeros([2, 5, 4]), tf.zeros([2, 5, 2]), { mask: tf.ones([3, 4]) }),
      ).toThrow(
        /attention mask: expected shape a shape that broadcasts to \[2, 3, 5\] \(each axis equal or 1\), received \[3, 4\]/,
      );
      const m = initMultiHeadAttention({ embedDim: 4, numHeads: 2, seed: 0 });
      expect(() =>
        multiHeadAttention(m, tf.zeros([1, 2, 3]) as tf.Tensor3D, q as tf.Tensor3D, q as tf.Tensor3D),
      ).toThrow(/attention query: expected shape \[\?, \?, 4\], received \[1, 2, 3\]/);
      expect(() =>
        multiHeadAttention(m, q as tf.Tensor3D, q as tf.Tensor3D, q as tf.Tensor3D, {
          keyPaddingMask: tf.ones([2, 4]) as tf.Tensor2D,
        }),
      ).toThrow(/key padding mask: expected shape \[2, 3\], received \[2, 4\]/);
      disposeParameters(m.params);
    });
  });

  test('model dimension not divisible by the head count; a sequence longer than the learned table', () => {
    expect(() => initMultiHeadAttention({ embedDim: 10, numHeads: 3, seed: 0 })).toThrow(ConfigError);
    expect(() => initMultiHeadAttention({ embedDim: 10, numHeads: 3, seed: 0 })).toThrow(
      /expected a multiple of 3, received 10/,
    );
    const p = initLearnedPositions({ maxLength: 4, dim: 2, seed: 0 });
    expect(() => learnedPositions(p, 3, 2)).toThrow(InputError);
    expect(() => learnedPositions(p, 3, 2)).toThrow(/expected at most 4 positions .*received 5 positions/);
    tf.tidy(() => {
      expect(learnedPositions(p, 2, 2).shape).toEqual([2, 2]);
    });
    disposeParameters(p);
  });
});
