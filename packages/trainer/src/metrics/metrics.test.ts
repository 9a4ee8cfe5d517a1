import { IdOutOfRangeError, InputError, ShapeError } from '@strand/base';
import { expectNoLeakedTensors, testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../losses/cross-entropy.js';
import { AccuracyMeter, sequenceAccuracy, tokenAccuracy } from './accuracy.js';
import { ConfusionMatrix } from './confusion.js';
import { nllPerStep, StepNllMeter } from './step-nll.js';
import { bitsPerCharacter, MeanMeter, perplexity } from './summary.js';

// logits [2, 3, 3]; argmax per position: [[0, 2, 1], [1, 1, 0]]
const LOGITS = [
  [
    [3, 1, 0],
    [0, 1, 2],
    [0, 5, 1],
  ],
  [
    [0, 2, 1],
    [1, 3, 2],
    [4, 4, 0], // tie: the first maximum (0) wins, as torch.argmax
  ],
];
const TARGETS = [
  [0, 2, 0],
  [1, -100, 0],
];

describe.each(testBackends())('metrics on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it('token and sequence accuracy skip ignored and masked positions', async () => {
    const logits = tf.tensor3d(LOGITS);
    const targets = tf.tensor2d(TARGETS, undefined, 'int32');
    const counts = await expectNoLeakedTensors(() => tokenAccuracy(logits, targets));
    expect(counts).toEqual({ correct: 4, total: 5 }); // wrong: [0][2]; [1][1] ignored
    expect(await sequenceAccuracy(logits, targets)).toEqual({ correct: 1, total: 2 });
    const mask = tf.tensor2d([
      [1, 1, 0],
      [0, 0, 0],
    ]);
    expect(await tokenAccuracy(logits, targets, { mask })).toEqual({ correct: 2, total: 2 });
    // the second sequence has nothing counted, so it is not a sequence at all
    expect(await sequenceAccuracy(logits, targets, { mask })).toEqual({ correct: 1, total: 1 });
    tf.dispose([logits, targets, mask]);
  });

  it('NLL per step sums crossEntropy per position over the batch', async () => {
    const logits = tf.tensor3d(LOGITS);
    const targets = tf.tensor2d(TARGETS, undefined, 'int32');
    const step = await expectNoLeakedTensors(() => nllPerStep(logits, targets));
    const per = (await crossEntropy(logits, targets, { reduction: 'none' }).array()) as number[][];
    expect(Array.from(step.count)).toEqual([2, 1, 2]);
    for (let t = 0; t < 3; t++) expect(step.sum[t]).toBeCloseTo(per[0]![t]! + per[1]![t]!, 5);
    const meter = new StepNllMeter()
      .add(step)
      .add({ sum: Float64Array.of(1, 1, 1, 4), count: Float64Array.of(1, 1, 1, 2) });
    const v = meter.value;
    expect(v).toHaveLength(4);
    expect(v[1]).toBeCloseTo((step.sum[1]! + 1) / 2, 6);
    expect(v[3]).toBe(2);
    tf.dispose([logits, targets]);
  });
});

describe('tensor-free metrics', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('perplexity and bits per character', () => {
    expect(perplexity(Math.log(42))).toBeCloseTo(42, 12);
    expect(bitsPerCharacter(Math.LN2 * 1.5)).toBeCloseTo(1.5, 14);
    expect(bitsPerCharacter(1.56)).toBeCloseTo(2.2506, 4);
  });

  it('MeanMeter weights batches by their token counts and restores', () => {
    const m = new MeanMeter().add(2, 10).add(4, 30);
    expect(m.value).toBe(3.5);
    expect(m.count).toBe(40);
    const r = MeanMeter.restore(JSON.parse(JSON.stringify(m.state())));
    r.add(0, 0).add(3.5);
    expect(r.value).toBe(3.5);
    expect(new MeanMeter().value).toBeNaN();
    expect(() => m.add(1, -1)).toThrow(/count/);
    const a = new AccuracyMeter().add({ correct: 3, total: 4 }).add({ correct: 1, total: 4 });
    expect(a.value).toBe(0.5);
  });

  it('confusion matrix: counts, precision/recall/F1, macro-F1 and most confused pairs by hand', () => {
    const truth = [0, 0, 0, 1, 1, 2, 2, 2, 2, -100];
    const pred = [0, 1, 1, 1, 0, 2, 2, 1, 0, 3];
    const m = new ConfusionMatrix(4).add(truth, pred);
    expect(Array.from(m.counts)).toEqual([1, 2, 0, 0, 1, 1, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0]);
    expect(m.accuracy()).toBeCloseTo(4 / 9, 14);
    // class 1: tp 1, predicted 4 times, true 2 times
    const s1 = m.scores(1);
    expect([s1.precision, s1.recall, s1.support]).toEqual([0.25, 0.5, 2]);
    expect(s1.f1).toBeCloseTo((2 * 0.25 * 0.5) / 0.75, 14);
    // class 3 never occurs: all zero, and macro-F1 averages over classes 0..2 only
    expect(m.scores(3)).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    const f0 = (2 * (1 / 3) * (1 / 3)) / (2 / 3);
    const f2 = (2 * 1 * 0.5) / 1.5;
    expect(m.macroF1()).toBeCloseTo((f0 + s1.f1 + f2) / 3, 14);
    expect(m.mostConfused(2)).toEqual([
      { truth: 0, predicted: 1, count: 2 },
      { truth: 1, predicted: 0, count: 1 },
    ]);
    expect(ConfusionMatrix.fromJSON(JSON.parse(JSON.stringify(m))).counts).toEqual(m.counts);
    const masked = new ConfusionMatrix(4).add(truth, pred, { mask: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0] });
    expect(masked.total).toBe(3);
  });

  it('names bad inputs', async () => {
    const m = new ConfusionMatrix(3);
    expect(() => m.add([0, 3], [0, 0])).toThrow(IdOutOfRangeError);
    expect(() => m.add([0, 1], [0, 7])).toThrow(
      'predicted class at index 1: expected an integer in [0, 3), received 7',
    );
    expect(m.total).toBe(0);
    expect(() => m.add([0], [0, 1])).toThrow(InputError);
    expect(() => new ConfusionMatrix(0)).toThrow(/numClasses/);
    expect(() => ConfusionMatrix.fromJSON({ numClasses: 2, counts: [1, 2, 3] })).toThrow(/4 counts/);
    expect(() => ConfusionMatrix.fromJSON({ numClasses: 1, counts: [-1] })).toThrow(/non-negative integer/);
    await expect(tokenAccuracy(tf.zeros([2, 3]), tf.zeros([3], 'int32'))).rejects.toThrow(ShapeError);
    await expect(sequenceAccuracy(tf.zeros([2, 3]), tf.zeros([2], 'int32'))).rejects.toThrow(/rank >= 3/);
    await expect(tokenAccuracy(tf.zeros([2, 3]), tf.zeros([2]))).rejects.toThrow(/int32/);
    await expect(nllPerStep(tf.zeros([1, 2, 3]), tf.tensor2d([[0, 3]], undefined, 'int32'))).rejects.toThrow(
      IdOutOfRangeError,
    );
  });
});
