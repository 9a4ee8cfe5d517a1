// PyTorch interop: state_dicts of seeded torch modules load into Strand and give torch's outputs (within
// 1e-5), and Strand layers exported with toPyTorch run in torch with Strand's outputs. Runs only where
// /usr/bin/python3 can import torch (Debian's python3-torch); skipped with the reason otherwise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeightsError } from '@strand/core';
import { expectClose, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bidirectional } from '../src/bidirectional.js';
import { gru } from '../src/gru.js';
import { fromPyTorch, type PyTorchRnnConfig, toPyTorch } from '../src/interop-pytorch.js';
import { lstm } from '../src/lstm.js';
import type { Recurrent } from '../src/recurrent.js';
import { rnn } from '../src/rnn.js';
import { simpleRNN } from '../src/simple-rnn.js';
import { stacked } from '../src/stacked.js';
import { seqInput } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'torch_rnn.py');

function torchAvailable(): string | null {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    return null;
  } catch {
    return `${PYTHON} cannot import torch (install Debian's python3-torch)`;
  }
}
const missing = torchAvailable();

type Enc = { shape: number[]; data: number[] };
const dec = (e: Enc) => tf.tensor(e.data, e.shape);
const enc = (t: tf.Tensor): Enc => ({ shape: t.shape, data: Array.from(t.dataSync()) });

/** torch's h_n / c_n, [layers · directions, batch, size], as a Strand state tree. */
function torchState(cfg: PyTorchRnnConfig, hN: tf.Tensor, cN: tf.Tensor | undefined): unknown {
  const dirs = cfg.bidirectional ? 2 : 1;
  const at = (i: number) => {
    const h = tf.squeeze(tf.slice(hN, [i, 0, 0], [1, -1, -1]), [0]);
    return cN ? { h, c: tf.squeeze(tf.slice(cN, [i, 0, 0], [1, -1, -1]), [0]) } : { h };
  };
  const layers = Array.from({ length: cfg.numLayers ?? 1 }, (_, k) =>
    dirs === 2 ? { forward: at(2 * k), backward: at(2 * k + 1) } : at(k),
  );
  return layers.length === 1 ? layers[0] : layers;
}

function expectStateClose(actual: unknown, expected: unknown): void {
  if (expected instanceof tf.Tensor) {
    expectClose(actual as tf.Tensor, expected, 1e-5);
    return;
  }
  for (const [k, v] of Object.entries(expected as object))
    expectStateClose((actual as Record<string, unknown>)[k], v);
}

describe.skipIf(missing !== null)(`PyTorch interop${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let dir: string;
  beforeAll(async () => {
    await useTestBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'strand-torch-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('torch state_dicts load into Strand and reproduce torch outputs and final states', () => {
    const file = join(dir, 'made.json');
    execFileSync(PYTHON, [SCRIPT, 'make', file], { timeout: 120_000 });
    const cases = JSON.parse(readFileSync(file, 'utf8')) as Record<
      string,
      {
        config: PyTorchRnnConfig;
        lengths: number[] | null;
        stateDict: Record<string, Enc>;
        input: Enc;
        output: Enc;
        h_n: Enc;
        c_n?: Enc;
      }
    >;
    expect(Object.keys(cases)).toHaveLength(8);
    for (const [name, c] of Object.entries(cases)) {
      const layer = fromPyTorch(c.stateDict, c.config);
      const r = rnn(layer, dec(c.input) as tf.Tensor3D, {
        ...(c.lengths ? { lengths: c.lengths } : {}),
        returnState: true,
      });
      try {
        expectClose(r.outputs, dec(c.output), 1e-5);
        expectStateClose(r.state, torchState(c.config, dec(c.h_n), c.c_n ? dec(c.c_n) : undefined));
      } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`);
      }
    }
  });

  test('Strand layers exported with toPyTorch run in torch with the same outputs', () => {
    const bi = (i: number, n: number) =>
      bidirectional(lstm({ inputSize: n, units: 4, seed: i }), lstm({ inputSize: n, units: 4, seed: i + 1 }));
    const layers: Record<string, [Recurrent, number[] | null]> = {
      lstm: [lstm({ inputSize: 3, units: 4, seed: 1, initScheme: 'pytorch' }), null],
      lstm_proj: [lstm({ inputSize: 3, units: 5, projSize: 3, seed: 2, initScheme: 'pytorch' }), [4, 2]],
      gru: [gru({ inputSize: 3, units: 4, seed: 3, initScheme: 'pytorch' }), [3, 4]],
      rnn_relu: [
        simpleRNN({ inputSize: 3, units: 4, activation: 'relu', seed: 4, initScheme: 'pytorch' }),
        null,
      ],
      lstm_bi_2layer: [stacked([bi(5, 3), bi(7, 8)]), [4, 1]],
    };
    const x = seqInput(2, 4, 3);
    const payload: Record<string, unknown> = {};
    for (const [name, [layer, lengths]] of Object.entries(layers)) {
      const { config, stateDict } = toPyTorch(layer);
      payload[name] = {
        config,
        lengths,
        input: enc(x),
        stateDict: Object.fromEntries(Object.entries(stateDict).map(([k, v]) => [k, enc(v)])),
      };
    }
    const src = join(dir, 'exported.json');
    const dst = join(dir, 'ran.json');
    writeFileSync(src, JSON.stringify(payload));
    execFileSync(PYTHON, [SCRIPT, 'run', src, dst], { timeout: 120_000 });
    const ran = JSON.parse(readFileSync(dst, 'utf8')) as Record<string, { output: Enc }>;
    for (const [name, [layer, lengths]] of Object.entries(layers)) {
      const ours = rnn(layer, x, lengths ? { lengths } : {}).outputs;
      try {
        expectClose(ours, dec(ran[name]!.output), 1e-5);
      } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`);
      }
    }
  });
});

describe('PyTorch state_dict validation (no torch needed)', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });
  test('a WeightsError lists missing, unexpected and misshapen names', () => {
    const cell = lstm({ inputSize: 3, units: 4, seed: 1 });
    const { config, stateDict } = toPyTorch(cell);
    expect(Object.keys(stateDict)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
    expect(stateDict['weight_ih_l0']!.shape).toEqual([16, 3]);
    const bad = { ...stateDict, weight_hh_l0: tf.zeros([16, 5]), extra: tf.zeros([1]) } as Record<
      string,
      tf.Tensor
    >;
    delete bad['bias_hh_l0'];
    const f = () => fromPyTorch(bad, config);
    expect(f).toThrow(WeightsError);
    expect(f).toThrow(
      /missing 1: bias_hh_l0; unexpected 1: extra; wrong shape 1: weight_hh_l0 \(expected \[16, 4\], received \[16, 5\]\)/,
    );
  });

  test('round trip through the state_dict layout keeps the outputs', () => {
    const cell = gru({ inputSize: 3, units: 4, seed: 2, initScheme: 'pytorch' });
    const { config, stateDict } = toPyTorch(cell);
    const back = fromPyTorch(stateDict, config);
    const x = seqInput(2, 3, 3);
    expectClose(rnn(back, x).outputs, rnn(cell, x).outputs, 1e-6);
    expect(() => toPyTorch(gru({ inputSize: 3, units: 4, resetAfter: false, seed: 1 }))).toThrow(
      'resetAfter',
    );
  });
});
