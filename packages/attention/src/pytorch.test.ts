/**
 * Equivalence with PyTorch 1.13 on weights loaded from PyTorch-layout state_dicts: outputs and the
 * gradients with respect to inputs and to every state_dict entry (fixtures: test/make_fixtures.py).
 */
import { FormatError, ShapeError } from '@strand/base';
import { disposeParameters, namedParameters, type Params } from '@strand/core';
import { expectClose, maxAbsDiff, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Fixture, loadFixture, mapLeaves, tensor } from '../test/helpers.js';
import { decoderLayer } from './decoder-layer.js';
import { encoderLayer } from './encoder-layer.js';
import { fromTorchMask } from './mask.js';
import { type MultiHeadAttention, multiHeadAttention } from './multi-head.js';
import {
  decoderLayerFromTorch,
  decoderLayerToTorch,
  encoderLayerFromTorch,
  encoderLayerToTorch,
  multiHeadAttentionFromTorch,
  multiHeadAttentionToTorch,
  stateDictFromJson,
} from './pytorch.js';
import {
  transformerDecoder,
  transformerDecoderFromTorch,
  transformerEncoder,
  transformerEncoderFromTorch,
  transformerStackToTorch,
} from './transformer-stack.js';

const TOL = 2e-5;
const GRAD_TOL = 1e-4;
const diffs: Record<string, number> = {};

beforeAll(async () => {
  await useTestBackend('cpu');
});

afterAll(() => {
  // Max abs diffs, for the report: `STRAND_PRINT_DIFFS=1 npx vitest run src/pytorch.test.ts`.
  if (process.env['STRAND_PRINT_DIFFS']) console.log(JSON.stringify(diffs, null, 1));
});

function torchMask(f: Fixture, key: string): tf.Tensor | undefined {
  const j = f[key] as { shape: number[]; data: number[] } | undefined;
  return j === undefined ? undefined : tf.tidy(() => fromTorchMask(tensor(j, 'bool')));
}

/**
 * Compares output, input gradients and parameter gradients (converted to PyTorch's layout by the
 * same `toTorch` used for export) with the fixture.
 */
function checkAgainst(
  name: string,
  f: Fixture,
  params: Params,
  toTorch: (gradTree: never) => Record<string, tf.Tensor>,
  forward: (inputs: tf.Tensor[]) => tf.Tensor,
): void {
  const names = Object.keys(f.inputs);
  const inputs = names.map((k) => tensor(f.inputs[k]!));
  const r = tensor(f.r);
  const loss = (xs: tf.Tensor[]) => tf.sum(tf.mul(forward(xs), r)) as tf.Scalar;
  const out = tf.tidy(() => forward(inputs));
  const dOut = maxAbsDiff(out, f.output.data);
  expectClose(out, f.output.data, TOL, TOL);
  const inputGrads = tf.grads((...xs: tf.Tensor[]) => loss(xs))(inputs);
  let dIn = 0;
  names.forEach((k, i) => {
    dIn = Math.max(dIn, maxAbsDiff(inputGrads[i]!, f.inputGrads[k]!.data));
    expectClose(inputGrads[i]!, f.inputGrads[k]!.data, GRAD_TOL, GRAD_TOL);
  });
  const vars = [...namedParameters(params).values()];
  const { value, grads } = tf.variableGrads(() => loss(inputs), vars);
  const gradTree = mapLeaves(params, (v) => grads[v.name]!);
  const torchGrads = toTorch(gradTree as never);
  expect(Object.keys(torchGrads).sort()).toEqual(Object.keys(f.paramGrads).sort());
  let dParam = 0;
  for (const [k, g] of Object.entries(torchGrads)) {
    dParam = Math.max(dParam, maxAbsDiff(g, f.paramGrads[k]!.data));
    expectClose(g, f.paramGrads[k]!.data, GRAD_TOL, GRAD_TOL);
  }
  diffs[name] = Math.max(dOut, dIn, dParam);
  tf.dispose([
    out,
    r,
    value,
    ...inputs,
    ...inputGrads,
    ...Object.values(grads),
    ...Object.values(torchGrads),
  ]);
}

describe('nn.MultiheadAttention', () => {
  test.each(['mha-cross-packed', 'mha-cross-kvdim', 'mha-self-causal', 'mha-kvdim-bias'])(
    '%s: outputs, weights and gradients',
    (name) => {
      const f = loadFixture(name);
      const sd = stateDictFromJson(f.stateDict);
      const m = multiHeadAttentionFromTorch(sd, { numHeads: f.config['numHeads'] as number });
      expect(m.spec.kdim).toBe(f.config['kdim']);
      expect(m.spec.vdim).toBe(f.config['vdim']);
      expect(m.spec.bias).toBe(f.config['bias']);
      const mask = torchMask(f, 'attnMask');
      const kpm = torchMask(f, 'keyPaddingMask') as tf.Tensor2D | undefined;
      const self = 'x' in f.inputs;
      const run = (xs: tf.Tensor[]) => {
        const [q, k, v] = (self ? [xs[0], xs[0], xs[0]] : xs) as tf.Tensor3D[];
        return multiHeadAttention(m, q!, k!, v!, {
          ...(mask ? { mask } : {}),
          ...(kpm ? { keyPaddingMask: kpm } : {}),
        });
      };
      // Per-head weights equal PyTorch's average_attn_weights=False.
      tf.tidy(() => {
        const inputs = Object.values(f.inputs).map((j) => tensor(j));
        expectClose(run(inputs).weights, (f['weights'] as { data: number[] }).data, TOL, TOL);
      });
      checkAgainst(
        name,
        f,
        m.params,
        (g) => multiHeadAttentionToTorch({ spec: m.spec, params: g } as MultiHeadAttention),
        (xs) => run(xs).output,
      );
      // Export gives back the same state_dict.
      const back = multiHeadAttentionToTorch(m);
      expect(Object.keys(back).sort()).toEqual(Object.keys(sd).sort());
      for (const k of Object.keys(sd)) expectClose(back[k]!, sd[k]!, 0);
      tf.dispose(
        [...Object.values(back), ...Object.values(sd), mask, kpm].filter(
          (t): t is tf.Tensor => t !== undefined,
        ),
      );
      disposeParameters(m.params);
    },
  );
});

describe('nn.TransformerEncoderLayer / nn.TransformerDecoderLayer', () => {
  test.each(['encoder-postnorm-relu', 'encoder-prenorm-gelu'])('%s', (name) => {
    const f = loadFixture(name);
    const sd = stateDictFromJson(f.stateDict);
    const c = f.config as { numHeads: number; normFirst: boolean; activation: 'relu' | 'gelu' };
    const layer = encoderLayerFromTorch(sd, {
      numHeads: c.numHeads,
      normFirst: c.normFirst,
      activation: c.activation,
    });
    const kpm = torchMask(f, 'keyPaddingMask') as tf.Tensor2D;
    checkAgainst(
      name,
      f,
      layer.params,
      (g) => encoderLayerToTorch({ spec: layer.spec, params: g }),
      ([x]) => encoderLayer(layer, x as tf.Tensor3D, { keyPaddingMask: kpm }).output,
    );
    const back = encoderLayerToTorch(layer);
    expect(Object.keys(back).sort()).toEqual(Object.keys(sd).sort());
    tf.dispose([...Object.values(back), ...Object.values(sd), kpm]);
    disposeParameters(layer.params);
  });

  test.each(['decoder-postnorm-gelu', 'decoder-prenorm-relu'])('%s', (name) => {
    const f = loadFixture(name);
    const sd = stateDictFromJson(f.stateDict);
    const c = f.config as { numHeads: number; normFirst: boolean; activation: 'relu' | 'gelu' };
    const layer = decoderLayerFromTorch(sd, {
      numHeads: c.numHeads,
      normFirst: c.normFirst,
      activation: c.activation,
    });
    const mask = torchMask(f, 'tgtMask')!;
    const kpm = torchMask(f, 'tgtKeyPaddingMask') as tf.Tensor2D;
    const mkpm = torchMask(f, 'memoryKeyPaddingMask') as tf.Tensor2D;
    checkAgainst(
      name,
      f,
      layer.params,
      (g) => decoderLayerToTorch({ spec: layer.spec, params: g }),
      ([x, mem]) =>
        decoderLayer(layer, x as tf.Tensor3D, mem as tf.Tensor3D, {
          mask,
          keyPaddingMask: kpm,
          memoryKeyPaddingMask: mkpm,
        }).output,
    );
    tf.dispose([...Object.values(sd), mask, kpm, mkpm]);
    disposeParameters(layer.params);
  });
});

describe('nn.TransformerEncoder / nn.TransformerDecoder (stacks of 2 with a final norm)', () => {
  test('encoder-stack-prenorm-gelu', () => {
    const f = loadFixture('encoder-stack-prenorm-gelu');
    const sd = stateDictFromJson(f.stateDict);
    const enc = transformerEncoderFromTorch(sd, { numHeads: 2, normFirst: true, activation: 'gelu' });
    expect(enc.params.layers.length).toBe(2);
    const kpm = torchMask(f, 'keyPaddingMask') as tf.Tensor2D;
    checkAgainst(
      'encoder-stack-prenorm-gelu',
      f,
      enc.params,
      (g) => transformerStackToTorch({ spec: enc.spec, params: g }),
      ([x]) => transformerEncoder(enc, x as tf.Tensor3D, { keyPaddingMask: kpm }),
    );
    tf.dispose([...Object.values(sd), kpm]);
    disposeParameters(enc.params);
  });

  test('decoder-stack-postnorm-relu', () => {
    const f = loadFixture('decoder-stack-postnorm-relu');
    const sd = stateDictFromJson(f.stateDict);
    const dec = transformerDecoderFromTorch(sd, { numHeads: 2 });
    const mask = torchMask(f, 'tgtMask')!;
    const mkpm = torchMask(f, 'memoryKeyPaddingMask') as tf.Tensor2D;
    checkAgainst(
      'decoder-stack-postnorm-relu',
      f,
      dec.params,
      (g) => transformerStackToTorch({ spec: dec.spec, params: g }),
      ([x, mem]) =>
        transformerDecoder(dec, x as tf.Tensor3D, mem as tf.Tensor3D, { mask, memoryKeyPaddingMask: mkpm }),
    );
    tf.dispose([...Object.values(sd), mask, mkpm]);
    disposeParameters(dec.params);
  });
});

describe('bad state_dicts', () => {
  test('a missing key is a FormatError naming the key; a wrong shape a ShapeError with both shapes', () => {
    const f = loadFixture('mha-cross-packed');
    const sd = stateDictFromJson(f.stateDict);
    const { in_proj_weight: _, ...missing } = sd;
    expect(() => multiHeadAttentionFromTorch(missing, { numHeads: 2 })).toThrow(FormatError);
    expect(() => multiHeadAttentionFromTorch(missing, { numHeads: 2 })).toThrow(/q_proj_weight/);
    const wrong = { ...sd, in_proj_bias: tf.zeros([7]) };
    expect(() => multiHeadAttentionFromTorch(wrong, { numHeads: 2 })).toThrow(ShapeError);
    expect(() => multiHeadAttentionFromTorch(wrong, { numHeads: 2 })).toThrow(
      /expected shape \[24\], received \[7\]/,
    );
    expect(() => multiHeadAttentionFromTorch(sd, { numHeads: 3 })).toThrow(
      /divisible by numHeads: expected a multiple of 3, received 8/,
    );
    tf.dispose([...Object.values(sd), wrong['in_proj_bias']]);
  });
});
