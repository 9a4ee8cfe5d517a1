/** The models under @strand/trainer: its train() loop, registry, and greedy / beam-search decoders. */
import { BOS_ID, EOS_ID } from '@strand/base';
import { disposeParameters } from '@strand/core';
import { useTestBackend } from '@strand/test-utils';
import { adam, beamSearch, createModel, greedy, registerModel, train, windowData } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { conditionedOn, type EncoderDecoderModel } from './encoder-decoder.js';
import { registerAttentionModels } from './register.js';
import { Seq2Seq } from './seq2seq.js';
import { TransformerLm } from './transformer-lm.js';
import { TransformerSeq2Seq } from './transformer-seq2seq.js';

beforeAll(async () => {
  await useTestBackend('cpu');
});

describe('with the trainer', () => {
  test('createModel builds a transformer from its config once registered', () => {
    registerAttentionModels(registerModel);
    const m = createModel({
      kind: 'transformer',
      vocabSize: 10,
      contextLength: 8,
      dModel: 8,
      numHeads: 2,
      numLayers: 1,
    });
    expect(m).toBeInstanceOf(TransformerLm);
    disposeParameters(m.params);
  });

  test('train() fits the tiny transformer LM to a periodic stream; greedy continues the pattern', async () => {
    const lm = new TransformerLm({
      kind: 'transformer',
      vocabSize: 8,
      contextLength: 16,
      dModel: 16,
      numHeads: 2,
      numLayers: 1,
      seed: 1,
    });
    const stream = Int32Array.from({ length: 400 }, (_, i) => 4 + (i % 4)); // 4 5 6 7 4 5 6 7 ...
    const optimizer = adam({ lr: 0.01 });
    const result = await train({
      model: lm,
      data: windowData(stream, { batchSize: 8, length: 12, batchesPerEpoch: 60 }),
      optimizer,
      steps: 60,
    });
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]! / 4);
    const next = greedy(lm, [4, 5, 6], { maxTokens: 6 });
    expect(Array.from(next)).toEqual([7, 4, 5, 6, 7, 4]);
    // Beam search reorders the KV caches (the trainer gathers every tensor of the state by row).
    const [best] = beamSearch(lm, [4, 5, 6], { beamWidth: 3, maxTokens: 4 });
    expect(Array.from(best!.tokens)).toEqual([7, 4, 5, 6]);
    expect(lm.perplexity([Array.from(stream.slice(0, 12))])).toBeLessThan(2);
    optimizer.dispose();
    disposeParameters(lm.params);
  });

  test.each([
    [
      'recurrent Bahdanau',
      () =>
        new Seq2Seq({
          kind: 'seq2seq',
          sourceVocabSize: 9,
          targetVocabSize: 7,
          embeddingDim: 4,
          units: 6,
          attention: 'bahdanau',
        }),
    ],
    [
      'transformer',
      () =>
        new TransformerSeq2Seq({
          kind: 'transformer-seq2seq',
          sourceVocabSize: 9,
          targetVocabSize: 7,
          dModel: 8,
          numHeads: 2,
          numEncoderLayers: 1,
          numDecoderLayers: 1,
        }),
    ],
  ] as [string, () => EncoderDecoderModel][])(
    '%s seq2seq decodes with the trainer’s greedy and beam search',
    (_name, make) => {
      const model = make();
      const before = tf.memory().numTensors;
      const source = tf.tensor2d([[3, 4, 5, 6]], [1, 4], 'int32');
      const lm = conditionedOn(model, source);
      const g = greedy(lm, [BOS_ID], { maxTokens: 5 });
      const beams = beamSearch(lm, [BOS_ID], { beamWidth: 3, maxTokens: 5, eosId: EOS_ID });
      expect(g.length).toBe(5);
      expect(beams.length).toBeGreaterThan(0);
      // Width-1 beam search is greedy decoding.
      const one = beamSearch(lm, [BOS_ID], { beamWidth: 1, maxTokens: 5 });
      expect(Array.from(one[0]!.tokens)).toEqual(Array.from(g));
      // Beam search finds a hypothesis at least as probable as greedy's.
      expect(beams[0]!.logProb).toBeGreaterThanOrEqual(one[0]!.logProb - 1e-6);
      lm.dispose();
      source.dispose();
      expect(tf.memory().numTensors).toBe(before);
      disposeParameters(model.params);
    },
  );
});
