import { FormatError } from '@strand/base';
import { disposeParameters, namedParameters } from '@strand/core';
import { fuzzReader, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { streamData } from '../loop/data.js';
import { train } from '../loop/train.js';
import type { LanguageModel } from '../models/language-model.js';
import { languageModel } from '../models/language-model.js';
import { adam } from '../optim/adam.js';
import { decodeCheckpoint, encodeCheckpoint, fnv1a } from './format.js';
import { restoreModel } from './restore.js';
import { loadLatest, memoryStore } from './store.js';

async function sampleCheckpoint() {
  const store = memoryStore();
  const model = languageModel({ vocabSize: 4, units: 3, seed: 1 });
  const optimizer = adam({ lr: 0.01 });
  const ids = Int32Array.from({ length: 60 }, (_, i) => i % 4);
  await train({
    model,
    optimizer,
    data: streamData(ids, { batchSize: 2, chunkLength: 5 }),
    steps: 3,
    checkpoint: { store, extra: { tokens: ['a', 'b', 'c', 'd'] } },
  });
  optimizer.dispose();
  return { store, model, entry: store.entries.get(3)! };
}

describe('checkpoints', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('round-trip: weights, optimizer buffers, carried state and metadata', async () => {
    const { store, model, entry } = await sampleCheckpoint();
    const ckpt = decodeCheckpoint(entry.json, entry.bytes);
    expect(ckpt.meta.step).toBe(3);
    expect(ckpt.meta.optimizer.kind).toBe('adam');
    expect(ckpt.meta.extra).toEqual({ tokens: ['a', 'b', 'c', 'd'] });
    expect(ckpt.meta.stateTensors).toBe(2); // h and c of the one LSTM layer
    const names = [...ckpt.tensors.keys()];
    expect(names).toContain('model.embedding.weight');
    expect(names.some((n) => n.startsWith('optim.'))).toBe(true);
    expect(names).toContain('state.0');
    // Re-encoding the decoded checkpoint gives the same bytes.
    const again = await encodeCheckpoint(ckpt.meta, ckpt.tensors);
    expect(again.bytes).toEqual(entry.bytes);
    tf.dispose([...ckpt.tensors.values()]);
    // restoreModel rebuilds the model from the config with the saved weights.
    const restored = restoreModel((await loadLatest(store))!) as LanguageModel;
    for (const [k, v] of namedParameters(model.params)) {
      expect(namedParameters(restored.params).get(k)!.dataSync()).toEqual(v.dataSync());
    }
    disposeParameters(model.params);
    disposeParameters(restored.params);
  });

  it('rejects a torn or mismatched pair with a FormatError naming the problem', async () => {
    const { model, entry } = await sampleCheckpoint();
    disposeParameters(model.params);
    expect(() =>
      decodeCheckpoint(entry.json, entry.bytes.subarray(0, 100), { source: 'run/ckpt.json' }),
    ).toThrow(/strand checkpoint run\/ckpt\.json: tensor file has 100 bytes, the JSON expects \d+/);
    const flipped = entry.bytes.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect(() => decodeCheckpoint(entry.json, flipped)).toThrow(/checksum/);
    expect(() => decodeCheckpoint(entry.json.replace('"step": 3', '"step": -3'), entry.bytes)).toThrow(
      /at step: expected a non-negative integer/,
    );
    expect(() => decodeCheckpoint('{', entry.bytes)).toThrow(FormatError);
    expect(fnv1a(new TextEncoder().encode('a'))).toBe('e40c292c'); // FNV-1a reference value
  });

  it('fuzz: 500 mutations of the JSON and 500 of the tensor file give only typed errors', async () => {
    const { model, entry } = await sampleCheckpoint();
    disposeParameters(model.params);
    const before = tf.memory().numTensors;
    const readJson = (bytes: Uint8Array) => {
      const c = decodeCheckpoint(new TextDecoder().decode(bytes), entry.bytes);
      tf.dispose([...c.tensors.values()]);
      return c.meta.step;
    };
    const jsonReport = await fuzzReader({ input: entry.json, read: readJson, count: 500, seed: 3 });
    expect(jsonReport.rejected).toBeGreaterThan(300);
    // Mutated tensor files: checked against an honest JSON for each (so the checksum passes), which
    // leaves the safetensors parser itself to reject them.
    const readBytes = async (bytes: Uint8Array) => {
      const meta = JSON.parse(entry.json);
      meta.tensorFile = { bytes: bytes.byteLength, fnv1a: fnv1a(bytes) };
      const c = decodeCheckpoint(JSON.stringify(meta), bytes);
      tf.dispose([...c.tensors.values()]);
      return c.tensors.size;
    };
    const bytesReport = await fuzzReader({ input: entry.bytes, read: readBytes, count: 500, seed: 4 });
    expect(bytesReport.rejected).toBeGreaterThan(100);
    expect(tf.memory().numTensors).toBe(before);
  });
});
