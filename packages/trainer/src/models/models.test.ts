import { ConfigError, IdOutOfRangeError, ShapeError } from '@strand/base';
import { disposeParameters, namedParameters } from '@strand/core';
import { expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SequenceClassifier, sequenceClassifier } from './classifier.js';
import { LanguageModel, languageModel } from './language-model.js';
import { createModel, registerModel } from './registry.js';
import { sequenceTagger } from './tagger.js';

/** log p(s_1..s_n | s_0) by one full forward (no chunking, no batching): the reference. */
function referenceLogProb(lm: LanguageModel, seq: readonly number[]): number {
  return tf.tidy(() => {
    const state = lm.initialState(1);
    const x = tf.tensor2d(seq.slice(0, -1), [1, seq.length - 1], 'int32');
    const { logits } = lm.forward(x, state, { training: false });
    const lp = tf.logSoftmax(logits).arraySync()[0]!;
    let total = 0;
    for (let t = 1; t < seq.length; t++) total += lp[t - 1]![seq[t]!]!;
    return total;
  });
}

// WebGPU in Node cannot read tensors synchronously (tfjs' readSync needs OffscreenCanvas), and the
// models' logProb/streamLoss, the decoders' stepper and these tests' checks read synchronously, so
// they run on cpu and wasm; the optimizers and losses run on WebGPU too (see their tests), and the
// playground trains on WebGPU in Chromium.
describe.each(testBackends().filter((b) => b !== 'webgpu'))('recurrent models on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('a language model maps ids [B, T] to logits [B, T, V] and carries the state', async () => {
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const lm = languageModel({ vocabSize: 7, units: 6, layers: 2, cell, residual: true, seed: 1 });
      await expectNoLeakedTensors(() => {
        const s0 = lm.initialState(2);
        const ids = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
        const full = lm.forward(ids, s0, { training: false });
        expect(full.logits.shape).toEqual([2, 3, 7]);
        // Two halves with the state carried give the same logits as one call.
        const head = tf.slice(ids, [0, 0], [2, 2]) as tf.Tensor2D;
        const rest = tf.slice(ids, [0, 2], [2, 1]) as tf.Tensor2D;
        const a = lm.forward(head, s0, { training: false });
        const b = lm.forward(rest, a.state, { training: false });
        const whole = full.logits.arraySync();
        const tail = b.logits.arraySync();
        for (let r = 0; r < 2; r++)
          for (let v = 0; v < 7; v++) expect(tail[r]![0]![v]).toBeCloseTo(whole[r]![2]![v]!, 5);
        tf.dispose([ids, head, rest, full.logits, a.logits, b.logits]);
        for (const s of [s0, full.state, a.state, b.state]) lm.disposeState(s);
      });
      disposeParameters(lm.params);
    }
  });

  it('ties the output projection to the embedding table', () => {
    const lm = languageModel({ vocabSize: 9, units: 4, tieWeights: true, seed: 2 });
    const names = [...namedParameters(lm.params).keys()];
    expect(names).toContain('embedding.weight');
    expect(names).toContain('head.bias');
    expect(names.some((n) => n.startsWith('head.kernel'))).toBe(false);
    expect(() => languageModel({ vocabSize: 9, units: 4, embeddingDim: 3, tieWeights: true })).toThrow(
      ConfigError,
    );
    disposeParameters(lm.params);
  });

  it('logProb and perplexity agree with a hand-run forward, across chunks and batches', () => {
    const lm = languageModel({ vocabSize: 5, units: 8, cell: 'gru', seed: 3 });
    const seqs = [
      [0, 1, 2, 3, 4, 0, 1],
      [4, 4, 3],
      [2, 1],
    ];
    const ref = seqs.map((s) => referenceLogProb(lm, s));
    for (let i = 0; i < seqs.length; i++) expect(lm.logProb(seqs[i]!)).toBeCloseTo(ref[i]!, 4);
    // The perplexity counts every predicted symbol (all but the first of each sequence).
    const events = seqs.reduce((n, s) => n + s.length - 1, 0);
    expect(lm.perplexity(seqs)).toBeCloseTo(Math.exp(-ref.reduce((a, b) => a + b) / events), 4);
    // With a start symbol, the first symbol is scored too.
    const withBos = new LanguageModel({ ...lm.config, bosId: 0 });
    expect(withBos.logProb([1, 2])).toBeCloseTo(referenceLogProb(withBos, [0, 1, 2]), 4);
    disposeParameters(lm.params);
    disposeParameters(withBos.params);
  });

  it('names shapes and ids that do not fit', () => {
    const lm = languageModel({ vocabSize: 5, units: 4 });
    const ids = tf.tensor1d([1, 2], 'int32');
    expect(() => lm.forward(ids as unknown as tf.Tensor2D, lm.initialState(1), { training: false })).toThrow(
      /ids: expected shape \[\?, \?\], received \[2\]/,
    );
    expect(() => lm.forward(ids as unknown as tf.Tensor2D, lm.initialState(1), { training: false })).toThrow(
      ShapeError,
    );
    expect(() => lm.logProb([1, 7])).toThrow(IdOutOfRangeError);
    expect(() => languageModel({ vocabSize: 0, units: 4 })).toThrow(/vocabSize/);
    expect(() => languageModel({ vocabSize: 5, units: 4, cell: 'lstmx' as 'lstm' })).toThrow(ConfigError);
    ids.dispose();
    disposeParameters(lm.params);
  });

  it('a classifier pools over the valid steps only, whatever the padding holds', () => {
    for (const pooling of ['last', 'mean', 'max', 'attention'] as const) {
      const m = sequenceClassifier({ vocabSize: 10, numClasses: 3, units: 5, pooling, seed: 4 });
      const run = (ids: number[], mask: number[]) =>
        tf.tidy(() => {
          const r = m.forward(tf.tensor2d(ids, [1, ids.length], 'int32'), null, {
            training: false,
            mask: tf.tensor2d(mask, [1, mask.length]),
          });
          return r.logits.arraySync()[0]!;
        });
      const short = run([3, 4, 5], [1, 1, 1]);
      const paddedA = run([3, 4, 5, 0, 0], [1, 1, 1, 0, 0]);
      const paddedB = run([3, 4, 5, 9, 7], [1, 1, 1, 0, 0]);
      for (let c = 0; c < 3; c++) {
        expect(paddedA[c]).toBeCloseTo(short[c]!, 5);
        expect(paddedB[c]).toBeCloseTo(short[c]!, 5);
      }
      disposeParameters(m.params);
    }
  });

  it('mean pooling is the mean of the encoder outputs over the mask (hand check)', async () => {
    const { pool } = await import('./classifier.js');
    const out = tf.tensor3d([1, 2, 3, 4, 100, 100], [1, 3, 2]);
    const mask = tf.tensor2d([1, 1, 0], [1, 3]);
    expect(pool('mean', out, mask, null).arraySync()).toEqual([[2, 3]]);
    expect(pool('max', out, mask, null).arraySync()).toEqual([[3, 4]]);
    tf.dispose([out, mask]);
  });

  it('a tagger is bidirectional by default and gives one row of logits per step', () => {
    const m = sequenceTagger({ vocabSize: 10, numTags: 4, units: 3, seed: 5 });
    expect(m.config.bidirectional).toBeUndefined();
    expect([...namedParameters(m.params).keys()].some((k) => k.includes('backward'))).toBe(true);
    const logits = tf.tidy(
      () => m.forward(tf.tensor2d([1, 2, 3, 0], [2, 2], 'int32'), null, { training: false }).logits,
    );
    expect(logits.shape).toEqual([2, 2, 4]);
    logits.dispose();
    disposeParameters(m.params);
  });

  it('createModel rebuilds any model from its JSON config, with the same weights', () => {
    const configs = [
      languageModel({ vocabSize: 6, units: 4, layers: 2, dropout: 0.1, seed: 9 }),
      sequenceClassifier({ vocabSize: 6, numClasses: 2, units: 3, pooling: 'attention', seed: 9 }),
      sequenceTagger({ vocabSize: 6, numTags: 3, units: 3, seed: 9 }),
    ];
    for (const m of configs) {
      const copy = createModel(JSON.parse(JSON.stringify(m.config)));
      expect(copy.config).toEqual(m.config);
      const a = namedParameters(m.params);
      const b = namedParameters(copy.params);
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [k, v] of a) expect(b.get(k)!.arraySync()).toEqual(v.arraySync());
      disposeParameters(m.params);
      disposeParameters(copy.params);
    }
    expect(() => createModel({ kind: 'nope' })).toThrow(/unknown model kind "nope"; known: language-model/);
    registerModel(
      'custom-test',
      (c) => new SequenceClassifier({ ...(c as object), kind: 'sequence-classifier' } as never),
    );
    const custom = createModel({ kind: 'custom-test', vocabSize: 3, numClasses: 2, units: 2 });
    expect(custom).toBeInstanceOf(SequenceClassifier);
    disposeParameters(custom.params);
  });
});
