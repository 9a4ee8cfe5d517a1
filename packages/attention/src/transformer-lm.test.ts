import { ConfigError, IdOutOfRangeError, InputError, ShapeError } from '@strand/base';
import { disposeParameters, namedParameters } from '@strand/core';
import { expectClose, expectNoLeakedTensors, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { ids } from '../test/helpers.js';
import { type PositionKind, TransformerLm, type TransformerLmConfig } from './transformer-lm.js';

const tiny = (positions: PositionKind, extra: Partial<TransformerLmConfig> = {}): TransformerLm =>
  new TransformerLm({
    kind: 'transformer',
    vocabSize: 11,
    contextLength: 8,
    dModel: 8,
    numHeads: 2,
    numLayers: 2,
    positions,
    seed: 3,
    ...extra,
  });

beforeAll(async () => {
  await useTestBackend('cpu');
});

describe('TransformerLm', () => {
  test.each(['learned', 'sinusoidal', 'rope'] as const)(
    '%s positions: KV-cache decoding equals the full causal pass',
    async (positions) => {
      const lm = tiny(positions);
      await expectNoLeakedTensors(() => {
        tf.tidy(() => {
          const x = ids(2, 7, 11);
          const full = lm.forward(x, lm.initialState(2), { training: false });
          // 3 tokens, then 1, then 3: chunked feeding through the cache gives the same logits.
          let state = lm.initialState(2);
          const parts: tf.Tensor[] = [];
          for (const [t0, n] of [
            [0, 3],
            [3, 1],
            [4, 3],
          ] as const) {
            const r = lm.forward(tf.slice(x, [0, t0], [2, n]), state, { training: false });
            parts.push(r.logits);
            state = r.state;
          }
          expect(state.position).toBe(7);
          expectClose(tf.concat(parts, 1), full.logits, 1e-5);
        });
      });
      disposeParameters(lm.params);
    },
  );

  test('changing a future token never changes earlier logits; a right-padded batch matches the short sequence', () => {
    const lm = tiny('rope');
    tf.tidy(() => {
      const a = tf.tensor2d([[4, 5, 6, 7, 8]], [1, 5], 'int32');
      const b = tf.tensor2d([[4, 5, 6, 9, 1]], [1, 5], 'int32');
      const la = lm.forward(a, lm.initialState(1), { training: false }).logits;
      const lb = lm.forward(b, lm.initialState(1), { training: false }).logits;
      expectClose(tf.slice(la, [0, 0, 0], [1, 3, 11]), tf.slice(lb, [0, 0, 0], [1, 3, 11]), 1e-6);
      // Left padding with a mask: the padded row's real tokens see only real tokens.
      const padded = tf.tensor2d([[0, 0, 4, 5, 6]], [1, 5], 'int32');
      const mask = tf.tensor2d([[0, 0, 1, 1, 1]]);
      const short = lm.forward(tf.tensor2d([[4, 5, 6]], [1, 3], 'int32'), lm.initialState(1), {
        training: false,
      }).logits;
      const withPad = lm.forward(padded, lm.initialState(1), { training: false, mask }).logits;
      // With RoPE only relative positions matter, so left padding changes nothing at all.
      expectClose(tf.slice(withPad, [0, 2, 0], [1, 3, 11]), short, 1e-5);
    });
    disposeParameters(lm.params);
  });

  test('tied output projection: no separate head parameter; untied has one', () => {
    const tied = tiny('learned');
    const untied = tiny('learned', { tieWeights: false });
    const keys = [...namedParameters(tied.params).keys()];
    expect(keys[0]).toBe('embedding');
    expect(keys).toContain('positions.table');
    expect(keys).toContain('blocks.1.selfAttn.query.kernel');
    expect(keys.some((k) => k.startsWith('head'))).toBe(false);
    expect([...namedParameters(untied.params).keys()]).toContain('head.kernel');
    disposeParameters(tied.params);
    disposeParameters(untied.params);
  });

  test('SequenceModel: logProb is the sum of next-token log-probabilities after <bos>; sample is seeded', () => {
    const lm = tiny('learned');
    const seq = [5, 6, 7, 8];
    const expected = tf.tidy(() => {
      const x = tf.tensor2d([[2, 5, 6, 7]], [1, 4], 'int32');
      const logp = tf
        .logSoftmax(lm.forward(x, lm.initialState(1), { training: false }).logits)
        .arraySync() as number[][][];
      return seq.reduce((s, y, t) => s + logp[0]![t]![y]!, 0);
    });
    expectClose(lm.logProb(seq), expected, 1e-4);
    expectClose(lm.perplexity([seq, [3]]), Math.exp(-(lm.logProb(seq) + lm.logProb([3])) / 5), 1e-4);
    // Longer than the context: windows, still finite.
    expect(Number.isFinite(lm.logProb(Array.from({ length: 20 }, (_, i) => i % 11)))).toBe(true);
    const s1 = lm.sample(12, { seed: 4 });
    expect(s1.length).toBe(12); // past contextLength: the context slides
    expect(Array.from(lm.sample(12, { seed: 4 }))).toEqual(Array.from(s1));
    expect(s1.every((t) => t >= 0 && t < 11)).toBe(true);
    expect(() => lm.logProb([1, 11])).toThrow(IdOutOfRangeError);
    disposeParameters(lm.params);
  });

  test('dropout in training is seeded: same seed, same logits; eval is deterministic', () => {
    const lm = tiny('learned', { dropout: 0.2 });
    tf.tidy(() => {
      const x = ids(2, 5, 11);
      const a = lm.forward(x, lm.initialState(2), { training: true, seed: 1 }).logits;
      const b = lm.forward(x, lm.initialState(2), { training: true, seed: 1 }).logits;
      const c = lm.forward(x, lm.initialState(2), { training: true, seed: 2 }).logits;
      expectClose(a, b, 0);
      expect(tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]).toBeGreaterThan(1e-4);
      expect(() => lm.forward(x, lm.initialState(2), { training: true })).toThrow(ConfigError);
    });
    disposeParameters(lm.params);
  });

  test('bad input: typed errors', () => {
    expect(() => tiny('learned', { dModel: 10, numHeads: 3 })).toThrow(
      /expected a multiple of 3, received 10/,
    );
    expect(() => tiny('rope', { dModel: 6, numHeads: 2 })).toThrow(/even head size/);
    const lm = tiny('learned');
    tf.tidy(() => {
      expect(() => lm.forward(ids(1, 9, 11), lm.initialState(1), { training: false })).toThrow(InputError);
      expect(() => lm.forward(ids(1, 9, 11), lm.initialState(1), { training: false })).toThrow(
        /at most 8 positions/,
      );
      expect(() => lm.forward(ids(3, 2, 11), lm.initialState(2), { training: false })).toThrow(ShapeError);
    });
    disposeParameters(lm.params);
  });

  test('gradients reach every parameter (tied embedding included)', () => {
    const lm = tiny('learned');
    const vars = [...namedParameters(lm.params).values()];
    const { grads, value } = tf.variableGrads(() => {
      const x = ids(2, 6, 11);
      const logits = lm.forward(x, lm.initialState(2), { training: false }).logits;
      return tf.losses.softmaxCrossEntropy(
        tf.oneHot(tf.reshape(ids(2, 6, 11, 9), [-1]), 11),
        tf.reshape(logits, [-1, 11]),
      ) as tf.Scalar;
    }, vars);
    for (const v of vars) {
      const g = grads[v.name]!;
      expect(Number.isFinite(tf.sum(tf.abs(g)).dataSync()[0]!)).toBe(true);
      expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
    disposeParameters(lm.params);
  });
});
