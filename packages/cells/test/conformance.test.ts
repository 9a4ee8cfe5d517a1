// Conformance against @tensorflow/tfjs-layers in the same process: same weights, same inputs, outputs equal
// within 1e-5. tfjs-layers' GRU has only the reset-before convention (it rejects resetAfter: true); the
// resetAfter GRU is checked against the float64 reference (src/fused.test.ts) and PyTorch (test/pytorch.test.ts).
//
// Masking differs by design: on a padded step Keras/tfjs-layers outputs the previous output, Strand outputs
// zeros. Both carry the state through, so valid steps and final states must agree, and padded steps must be
// zeros (Strand) and repeats (tfjs-layers).
import { testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import { bidirectional } from '../src/bidirectional.js';
import type { Cell } from '../src/cell.js';
import { gru } from '../src/gru.js';
import { fromKeras, toKerasWeightList } from '../src/interop-keras.js';
import { lstm } from '../src/lstm.js';
import { rnn } from '../src/rnn.js';
import { simpleRNN } from '../src/simple-rnn.js';
import { expectNear, seqInput } from './helpers.js';

const B = 3;
const T = 5;
const F = 3;
const U = 4;
const LENGTHS = [5, 3, 1];

type Kind = 'lstm' | 'gru' | 'simpleRNN';

function strandCell(kind: Kind, seed: number): Cell {
  const common = { inputSize: F, units: U, seed, initScheme: 'pytorch' as const };
  if (kind === 'lstm') return lstm(common);
  if (kind === 'gru') return gru({ ...common, resetAfter: false });
  return simpleRNN(common);
}

function tflLayer(kind: Kind, extra: Record<string, unknown> = {}) {
  const args = {
    units: U,
    returnSequences: true,
    kernelInitializer: 'zeros',
    recurrentInitializer: 'zeros',
    ...extra,
  };
  if (kind === 'simpleRNN') return tfl.layers.simpleRNN(args as never);
  return tfl.layers[kind]({ ...args, recurrentActivation: 'sigmoid' } as never);
}

function boolMask(lengths: number[]): tf.Tensor2D {
  return tf.tensor2d(
    lengths.map((l) => Array.from({ length: T }, (_, t) => t < l)),
    [lengths.length, T],
    'bool',
  );
}

/** The rows of y at valid steps only, flattened. */
async function validSteps(y: tf.Tensor, lengths: number[]): Promise<number[]> {
  const a = (await y.array()) as number[][][];
  return a.flatMap((seq, b) => seq.slice(0, lengths[b]).flat());
}

describe.each(testBackends())('tfjs-layers conformance on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  test.each(['lstm', 'gru', 'simpleRNN'] as Kind[])('%s: outputs and final state, no mask', async (kind) => {
    const cell = strandCell(kind, 1);
    const layer = tflLayer(kind, { returnState: true });
    const x = seqInput(B, T, F);
    const [yK, ...statesK] = layer.apply(x) as tf.Tensor[];
    layer.setWeights(toKerasWeightList(cell));
    const [yK2, hK, cK] = layer.apply(x) as tf.Tensor[];
    void yK;
    void statesK;
    const r = rnn(cell, x, { returnState: true });
    await expectNear(r.outputs, yK2!, 1e-5);
    await expectNear(r.state.h, hK!, 1e-5);
    if (kind === 'lstm') await expectNear((r.state as { c: tf.Tensor }).c, cK!, 1e-5);
  });

  test.each(['lstm', 'gru', 'simpleRNN'] as Kind[])(
    '%s: with masking, valid steps and final states',
    async (kind) => {
      const cell = strandCell(kind, 2);
      const layer = tflLayer(kind, { returnState: true });
      const x = seqInput(B, T, F, 3);
      layer.apply(x);
      layer.setWeights(toKerasWeightList(cell));
      const [yK, hK, cK] = layer.apply(x, { mask: boolMask(LENGTHS) }) as tf.Tensor[];
      const r = rnn(cell, x, { lengths: LENGTHS, returnState: true });
      await expectNear(await validSteps(r.outputs, LENGTHS), await validSteps(yK!, LENGTHS), 1e-5);
      await expectNear(r.state.h, hK!, 1e-5);
      if (kind === 'lstm') await expectNear((r.state as { c: tf.Tensor }).c, cK!, 1e-5);
      // the documented difference: zeros (Strand) vs the last valid output repeated (tfjs-layers) on padding
      const yS = await r.outputs.array();
      const yL = (await yK!.array()) as number[][][];
      expect(yS[1]![4]!.every((v) => v === 0)).toBe(true);
      await expectNear(yL[1]![4]!, yL[1]![2]!, 0);
    },
  );

  test.each(['lstm', 'gru'] as Kind[])(
    'bidirectional %s (concat), with and without masking',
    async (kind) => {
      const fw = strandCell(kind, 3);
      const bw = strandCell(kind, 4);
      const layer = tfl.layers.bidirectional({ layer: tflLayer(kind) as never, mergeMode: 'concat' });
      const x = seqInput(B, T, F, 5);
      layer.apply(x);
      const bi = bidirectional(fw, bw);
      layer.setWeights(toKerasWeightList(bi));
      await expectNear(rnn(bi, x).outputs, layer.apply(x) as tf.Tensor, 1e-5);
      const yK = layer.apply(x, { mask: boolMask(LENGTHS) }) as tf.Tensor;
      await expectNear(
        await validSteps(rnn(bi, x, { lengths: LENGTHS }).outputs, LENGTHS),
        await validSteps(yK, LENGTHS),
        1e-5,
      );
    },
  );

  test.each(['lstm', 'gru', 'simpleRNN'] as Kind[])(
    'fromKeras: a tfjs-layers %s with its own random weights',
    async (kind) => {
      const layer =
        kind === 'simpleRNN'
          ? tfl.layers.simpleRNN({
              units: U,
              returnSequences: true,
              recurrentInitializer: 'glorotUniform',
              biasInitializer: 'randomNormal',
            })
          : tfl.layers[kind]({
              units: U,
              returnSequences: true,
              recurrentActivation: 'sigmoid',
              recurrentInitializer: 'glorotUniform',
              biasInitializer: 'randomNormal',
            });
      const x = seqInput(B, T, F, 6);
      const yK = layer.apply(x) as tf.Tensor;
      const [kernel, recurrent_kernel, bias] = layer.getWeights();
      const cell = fromKeras(
        { kernel: kernel!, recurrent_kernel: recurrent_kernel!, bias: bias! },
        {
          layer: kind === 'lstm' ? 'LSTM' : kind === 'gru' ? 'GRU' : 'SimpleRNN',
          inputSize: F,
          units: U,
          resetAfter: false,
        },
      );
      await expectNear(rnn(cell, x).outputs, yK, 1e-5);
    },
  );
});
