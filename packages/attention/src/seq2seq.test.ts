import { ConfigError } from '@strand/base';
import { disposeParameters, type Params } from '@strand/core';
import { expectClose, expectNoLeakedTensors, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { ids } from '../test/helpers.js';
import { disposeTensors, type EncoderDecoderModel } from './encoder-decoder.js';
import { Seq2Seq, type Seq2SeqConfig } from './seq2seq.js';
import { TransformerSeq2Seq } from './transformer-seq2seq.js';

beforeAll(async () => {
  await useTestBackend('cpu');
});

const rnnModel = (attention: Seq2SeqConfig['attention'], extra: Partial<Seq2SeqConfig> = {}) =>
  new Seq2Seq({
    kind: 'seq2seq',
    sourceVocabSize: 9,
    targetVocabSize: 7,
    embeddingDim: 5,
    units: 6,
    attention,
    seed: 1,
    ...extra,
  });
const transformer = () =>
  new TransformerSeq2Seq({
    kind: 'transformer-seq2seq',
    sourceVocabSize: 9,
    targetVocabSize: 7,
    dModel: 8,
    numHeads: 2,
    numEncoderLayers: 2,
    numDecoderLayers: 2,
    seed: 2,
  });

const variants: [string, () => EncoderDecoderModel][] = [
  ['bottleneck GRU', () => rnnModel('none')],
  ['Bahdanau GRU, bidirectional', () => rnnModel('bahdanau', { bidirectional: true })],
  ['Luong LSTM (general)', () => rnnModel('luong', { cell: 'lstm' })],
  ['Luong GRU (dot)', () => rnnModel('luong', { luongScore: 'dot' })],
  ['transformer', transformer],
];

/** The decoder run one step at a time, feeding the reference tokens. */
function stepwise(model: EncoderDecoderModel, src: tf.Tensor2D, tgt: tf.Tensor2D, sourceMask?: tf.Tensor2D) {
  return tf.tidy(() => {
    const memory = model.encode(src, { training: false, ...(sourceMask ? { sourceMask } : {}) });
    let state = model.initialState(memory);
    const logits: tf.Tensor2D[] = [];
    const [b, t] = tgt.shape;
    for (let i = 0; i < t; i++) {
      const r = model.step(tf.reshape(tf.slice(tgt, [0, i], [b, 1]), [b]) as tf.Tensor1D, state, memory, {
        training: false,
      });
      logits.push(r.logits);
      state = r.state;
    }
    return tf.stack(logits, 1);
  });
}

describe.each(variants)('%s', (_name, make) => {
  test('step-by-step decoding equals the teacher-forced pass; attention rows sum to 1 over real source tokens', async () => {
    const model = make();
    await expectNoLeakedTensors(() => {
      tf.tidy(() => {
        const src = ids(2, 5, 9);
        const tgt = ids(2, 4, 7, 5);
        const sourceMask = tf.tensor2d([
          [1, 1, 1, 1, 1],
          [1, 1, 1, 0, 0],
        ]);
        const out = model.forward(src, tgt, { training: false, sourceMask });
        expect(out.logits.shape).toEqual([2, 4, 7]);
        expectClose(stepwise(model, src, tgt, sourceMask), out.logits, 1e-5);
        if (model.config['attention'] === 'none') expect(out.attention).toBeNull();
        else {
          const w = out.attention!.arraySync() as number[][][];
          for (const row of w[1]!) {
            expectClose(row.slice(3), [0, 0], 0); // padding gets no weight
            expectClose(
              row.reduce((s, p) => s + p, 0),
              1,
              1e-5,
            );
          }
        }
      });
    });
    disposeParameters(model.params);
  });

  test('padding never changes the outputs of the real tokens', () => {
    const model = make();
    tf.tidy(() => {
      const src = tf.tensor2d([[3, 4, 5]], [1, 3], 'int32');
      const padded = tf.tensor2d([[3, 4, 5, 8, 8]], [1, 5], 'int32');
      const tgt = tf.tensor2d([[2, 4, 6]], [1, 3], 'int32');
      const a = model.forward(src, tgt, { training: false }).logits;
      const b = model.forward(padded, tgt, {
        training: false,
        sourceMask: tf.tensor2d([[1, 1, 1, 0, 0]]),
      }).logits;
      expectClose(b, a, 1e-5);
    });
    disposeParameters(model.params);
  });

  test('teacher forcing 0 feeds back the argmax; below 1 without a seed is a ConfigError', () => {
    const model = make();
    tf.tidy(() => {
      const src = ids(1, 4, 9);
      const tgt = ids(1, 5, 7, 3);
      const free = model.forward(src, tgt, { training: false, teacherForcing: 0, seed: 1 }).logits;
      // The same by hand: feed tgt[0], then each step's argmax.
      const memory = model.encode(src, { training: false });
      let state = model.initialState(memory);
      let prev = tf.slice(tf.reshape(tgt, [5]), [0], [1]) as tf.Tensor1D;
      const steps: tf.Tensor[] = [];
      for (let t = 0; t < 5; t++) {
        const r = model.step(prev, state, memory, { training: false });
        steps.push(r.logits);
        state = r.state;
        prev = tf.argMax(r.logits, 1) as tf.Tensor1D;
      }
      expectClose(free, tf.stack(steps, 1), 1e-5);
      expect(() => model.forward(src, tgt, { training: false, teacherForcing: 0.5 })).toThrow(ConfigError);
    });
    disposeParameters(model.params);
  });
});

describe('training', () => {
  test('Bahdanau seq2seq learns to reverse short sequences (loss falls by more than half)', () => {
    const model = rnnModel('bahdanau', { units: 16, embeddingDim: 8 });
    const vars = collect(model.params);
    const opt = tf.train.adam(0.05);
    const batch = () => {
      const src = ids(16, 4, 7, 11).arraySync() as number[][];
      const s = src.map((r) => r.map((v) => (v % 5) + 2)); // ids 2..6
      const rev = s.map((r) => [...r].reverse());
      return {
        src: tf.tensor2d(s, [16, 4], 'int32'),
        tgtIn: tf.tensor2d(
          rev.map((r) => [1, ...r.slice(0, 3)]),
          [16, 4],
          'int32',
        ),
        tgtOut: tf.tensor2d(rev, [16, 4], 'int32'),
      };
    };
    const { src, tgtIn, tgtOut } = batch();
    const loss = () =>
      tf.tidy(() => {
        const { logits } = model.forward(src, tgtIn, { training: true, seed: 0 });
        return tf.losses.softmaxCrossEntropy(
          tf.oneHot(tf.reshape(tgtOut, [-1]), 7),
          tf.reshape(logits, [-1, 7]),
        ) as tf.Scalar;
      });
    const first = loss().dataSync()[0]!;
    for (let i = 0; i < 40; i++) tf.dispose(opt.minimize(loss, true, vars) ?? undefined);
    const last = loss().dataSync()[0]!;
    expect(last).toBeLessThan(first / 2);
    tf.dispose([src, tgtIn, tgtOut]);
    opt.dispose();
    disposeParameters(model.params);
  });

  test('bad configs', () => {
    expect(() => rnnModel('luong', { luongScore: 'dot', bidirectional: true })).toThrow(
      /expected 6, received 12/,
    );
    expect(() => rnnModel('soft' as never)).toThrow(ConfigError);
  });

  test('disposeTensors frees a memory tree', () => {
    const model = rnnModel('bahdanau');
    const x = ids(1, 3, 9);
    disposeTensors(model.encode(x, { training: false })); // first call: backends may cache constants
    const before = tf.memory().numTensors;
    const memory = model.encode(x, { training: false });
    disposeTensors(memory);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeParameters(model.params);
  });
});

function collect(tree: Params, out: tf.Variable[] = []): tf.Variable[] {
  if (tree === null) return out;
  if (tree instanceof tf.Variable) out.push(tree);
  else for (const v of Object.values(tree)) collect(v as Params, out);
  return out;
}
