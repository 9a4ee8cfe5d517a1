import { useBackend } from '@strand/backend';
import { FormatError, Rng } from '@strand/base';
import { fuzzReader } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsError } from '../errors.js';
import { MAX_RANK, parseSafetensors } from './parse.js';
import { serializeSafetensors } from './serialize.js';

function withHeader(header: string, data: Uint8Array = new Uint8Array()): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function parseError(bytes: Uint8Array): SafetensorsError {
  try {
    const r = parseSafetensors(bytes);
    tf.dispose([...r.tensors.values()]);
  } catch (error) {
    expect(error).toBeInstanceOf(SafetensorsError);
    expect(error).toBeInstanceOf(FormatError);
    return error as SafetensorsError;
  }
  throw new Error('expected a SafetensorsError');
}

/** Tensors of seeded random shapes and values, one per supported save dtype. */
function randomTensors(rng: Rng): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const shape = Array.from({ length: rng.int(4) }, () => rng.int(4));
    const size = shape.reduce((a, b) => a * b, 1);
    const kind = rng.int(3);
    const name = `layer.${i}.${['w', 'ids', 'mask'][kind]}`;
    if (kind === 0)
      out[name] = tf.tensor(
        Float32Array.from({ length: size }, () => rng.normal()),
        shape,
        'float32',
      );
    else if (kind === 1)
      out[name] = tf.tensor(
        Int32Array.from({ length: size }, () => rng.int(2 ** 31) - 2 ** 30),
        shape,
        'int32',
      );
    else
      out[name] = tf.tensor(
        Uint8Array.from({ length: size }, () => rng.int(2)),
        shape,
        'bool',
      );
  }
  return out;
}

describe('safetensors under hostile input', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('fuzz: 600 seeded mutations of a valid file give a result or a typed error, fast', async () => {
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor1d([7, 8], 'int32');
    const input = await serializeSafetensors({ a, b }, { note: 'fuzz' });
    tf.dispose([a, b]);
    const before = tf.memory().numTensors;
    const report = await fuzzReader({
      input,
      count: 600,
      seed: 9,
      read: (bytes) => {
        const r = parseSafetensors(bytes);
        const shapes = [...r.tensors].map(([k, t]) => [k, t.shape, t.dtype]);
        tf.dispose([...r.tensors.values()]);
        return shapes;
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.rejected).toBeGreaterThan(300);
    expect(Object.keys(report.codes)).toEqual(['ERR_FORMAT']);
  });

  it('round trip: parse(serialize(x)) equals x for 50 seeded random tensor sets', async () => {
    const rng = new Rng(5);
    for (let k = 0; k < 50; k++) {
      const tensors = randomTensors(rng);
      const meta = { step: String(k), ü: 'ß' };
      const bytes = await serializeSafetensors(tensors, meta);
      const back = parseSafetensors(bytes);
      expect(back.metadata).toEqual(meta);
      expect([...back.tensors.keys()].sort()).toEqual(Object.keys(tensors).sort());
      for (const [name, t] of Object.entries(tensors)) {
        const u = back.tensors.get(name)!;
        expect(u.shape).toEqual(t.shape);
        expect(u.dtype).toBe(t.dtype);
        expect(Array.from(u.dataSync())).toEqual(Array.from(t.dataSync()));
      }
      tf.dispose([...Object.values(tensors), ...back.tensors.values()]);
    }
  });

  it('fails fast on 100k-deep nesting in the header, without a stack overflow', () => {
    const started = performance.now();
    const e = parseError(withHeader(`{"a":${'['.repeat(100_000)}`));
    expect(e.message).toMatch(/nesting deeper than 4 levels/);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('names the byte offset of invalid UTF-8 in the header, within the file', () => {
    const bytes = withHeader('{"ab":1}');
    bytes[8 + 3] = 0xff; // inside the key "ab"
    const e = parseError(bytes);
    expect(e.message).toMatch(/not valid UTF-8/);
    expect(e.byteOffset).toBe(11);
  });

  it('rejects huge ranks, huge axes and overflowing element counts before allocating', () => {
    const rank = parseError(
      withHeader(
        JSON.stringify({ a: { dtype: 'F32', shape: new Array(1000).fill(1), data_offsets: [0, 4] } }),
      ),
    );
    expect(rank.message).toMatch(new RegExp(`of rank 1000 is not a list of at most ${MAX_RANK}`));
    const axis = parseError(
      withHeader(JSON.stringify({ a: { dtype: 'F32', shape: [2 ** 40], data_offsets: [0, 4] } })),
    );
    expect(axis.message).toMatch(/integers in \[0, 2147483647\]/);
    const count = parseError(
      withHeader(
        JSON.stringify({ a: { dtype: 'F32', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 4] } }),
      ),
    );
    expect(count.message).toMatch(/more elements than any file holds/);
    const far = parseError(
      withHeader(JSON.stringify({ a: { dtype: 'F32', shape: [2 ** 28], data_offsets: [0, 2 ** 30] } })),
    );
    expect(far.message).toMatch(/run past the data section/);
  });

  it('rejects a header length of 2^63 and one past the file', () => {
    const bytes = withHeader('{}');
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(parseError(bytes).message).toMatch(/exceeds the 100000000-byte limit/);
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    expect(parseError(bytes).message).toMatch(/runs past the end of the file/);
  });

  it('gives JSON syntax errors a line and column', () => {
    const e = parseError(withHeader('{"a":\n  tru}'));
    expect(e.message).toMatch(/not valid JSON at line 2, column \d+/);
    expect(e.cause).toBeInstanceOf(FormatError);
  });

  it('is a FormatError with code ERR_FORMAT; withSource names the file and keeps the class', () => {
    const e = parseError(withHeader('{"a":1}'));
    expect(e.code).toBe('ERR_FORMAT');
    expect(e.format).toBe('safetensors');
    const named = e.withSource('model.safetensors');
    expect(named).toBeInstanceOf(SafetensorsError);
    expect(named.file).toBe('model.safetensors');
    expect(named.source).toBe('model.safetensors');
    expect(named.message).toMatch(/^Invalid safetensors file model\.safetensors \(tensor 'a'\): /);
  });
});
