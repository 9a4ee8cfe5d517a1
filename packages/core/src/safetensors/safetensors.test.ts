import { useBackend } from '@strand/backend';
import { expectClose, expectNoLeakedTensors } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsError } from '../errors.js';
import { parseSafetensors } from './parse.js';
import { serializeSafetensors } from './serialize.js';

/** A safetensors file built by hand: 8-byte LE header length, the JSON header, then the raw data. */
function fileOf(
  header: unknown,
  data: Uint8Array,
  { pad = 0, rawHeader }: { pad?: number; rawHeader?: string } = {},
) {
  const json = new TextEncoder().encode((rawHeader ?? JSON.stringify(header)) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function le(kind: 'f32' | 'f64' | 'i32' | 'i64' | 'u16', values: readonly (number | bigint)[]): Uint8Array {
  const size = { f32: 4, f64: 8, i32: 4, i64: 8, u16: 2 }[kind];
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (kind === 'f32') v.setFloat32(i * 4, Number(x), true);
    if (kind === 'f64') v.setFloat64(i * 8, Number(x), true);
    if (kind === 'i32') v.setInt32(i * 4, Number(x), true);
    if (kind === 'i64') v.setBigInt64(i * 8, BigInt(x), true);
    if (kind === 'u16') v.setUint16(i * 2, Number(x), true);
  });
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** expectNoLeakedTensors looks into arrays and records, not Maps: list the returned tensors. */
function withList<T extends { tensors: Map<string, tf.Tensor> }>(r: T): T & { list: tf.Tensor[] } {
  return { ...r, list: [...r.tensors.values()] };
}

function parseError(bytes: Uint8Array): SafetensorsError {
  const before = tf.memory().numTensors;
  try {
    parseSafetensors(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(SafetensorsError);
    expect(tf.memory().numTensors).toBe(before); // no partial load
    return error as SafetensorsError;
  }
  throw new Error('expected parseSafetensors to throw');
}

describe.each(['cpu', 'wasm'] as const)('safetensors on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('reads a hand-built file with every supported dtype', async () => {
    // fp16 0x3c00 = 1, 0xc000 = -2, 0x3555 ≈ 0.33325, 0x0001 = 2^-24 (subnormal);
    // bf16 0x3f80 = 1, 0x4049 = 3.140625.
    const parts = {
      f32: le('f32', [1.5, -2, 0.25, 3]),
      f64: le('f64', [0.1, -1e10]),
      f16: le('u16', [0x3c00, 0xc000, 0x3555, 0x0001]),
      bf16: le('u16', [0x3f80, 0x4049]),
      i32: le('i32', [-7, 2147483647]),
      i64: le('i64', [-3n, 2147483647n, -2147483648n]),
      u8: Uint8Array.of(0, 200, 255),
      bool: Uint8Array.of(1, 0, 1),
    };
    let at = 0;
    const span = (p: Uint8Array) => {
      at += p.length;
      return [at - p.length, at];
    };
    const header = {
      __metadata__: { format: 'pt', note: 'hand-built' },
      f32: { dtype: 'F32', shape: [2, 2], data_offsets: span(parts.f32) },
      f64: { dtype: 'F64', shape: [2], data_offsets: span(parts.f64) },
      f16: { dtype: 'F16', shape: [4], data_offsets: span(parts.f16) },
      bf16: { dtype: 'BF16', shape: [1, 2], data_offsets: span(parts.bf16) },
      i32: { dtype: 'I32', shape: [2], data_offsets: span(parts.i32) },
      i64: { dtype: 'I64', shape: [3], data_offsets: span(parts.i64) },
      u8: { dtype: 'U8', shape: [3], data_offsets: span(parts.u8) },
      bool: { dtype: 'BOOL', shape: [3], data_offsets: span(parts.bool) },
      empty: { dtype: 'F32', shape: [0, 3], data_offsets: [at, at] },
    };
    const bytes = fileOf(header, concat(...Object.values(parts)), { pad: 5 });
    const { tensors, metadata } = await expectNoLeakedTensors(() => withList(parseSafetensors(bytes.buffer)));
    expect(metadata).toEqual({ format: 'pt', note: 'hand-built' });
    expect([...tensors.keys()]).toEqual(['f32', 'f64', 'f16', 'bf16', 'i32', 'i64', 'u8', 'bool', 'empty']);
    const t = (name: string) => tensors.get(name)!;
    expect(t('f32').shape).toEqual([2, 2]);
    expectClose(t('f32'), [1.5, -2, 0.25, 3], 0);
    expectClose(t('f64'), [Math.fround(0.1), -1e10], 0);
    expectClose(t('f16'), [1, -2, 0.333251953125, 2 ** -24], 0);
    expectClose(t('bf16'), [1, 3.140625], 0);
    expect(t('i32').dtype).toBe('int32');
    expect(Array.from(t('i32').dataSync())).toEqual([-7, 2147483647]);
    expect(Array.from(t('i64').dataSync())).toEqual([-3, 2147483647, -2147483648]);
    expect(Array.from(t('u8').dataSync())).toEqual([0, 200, 255]);
    expect(t('bool').dtype).toBe('bool');
    expect(Array.from(t('bool').dataSync())).toEqual([1, 0, 1]);
    expect(t('empty').shape).toEqual([0, 3]);
    expect(t('f16').dtype).toBe('float32');
    tf.dispose([...tensors.values()]);
  });

  it('writes exactly the bytes of the format (header padded with spaces to 8 bytes)', async () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor1d([5, -6], 'int32');
    const bytes = await expectNoLeakedTensors(() => serializeSafetensors({ a, b }, { k: 'v' }));
    const header =
      '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},' +
      '"b":{"dtype":"I32","shape":[2],"data_offsets":[16,24]}}';
    const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
    expect(bytes).toEqual(
      fileOf(null, concat(le('f32', [1, 2, 3, 4]), le('i32', [5, -6])), { rawHeader: padded }),
    );
    expect(padded.length % 8).toBe(0);
    tf.dispose([a, b]);
  });

  it('round-trips float32, int32, bool and scalars', async () => {
    const named = new Map<string, tf.Tensor>([
      ['layers.0.kernel', tf.randomNormal([3, 5], 0, 1, 'float32', 4)],
      ['step', tf.scalar(42, 'int32')],
      ['mask', tf.tensor1d([true, false, true], 'bool')],
      ['none', tf.zeros([0])],
    ]);
    const bytes = await serializeSafetensors(named);
    const { tensors, metadata } = await expectNoLeakedTensors(() => withList(parseSafetensors(bytes)));
    expect(metadata).toEqual({});
    for (const [name, t] of named) {
      expect(tensors.get(name)!.dtype).toBe(t.dtype);
      expect(tensors.get(name)!.shape).toEqual(t.shape);
      expect(Array.from(tensors.get(name)!.dataSync())).toEqual(Array.from(t.dataSync()));
    }
    tf.dispose([...named.values(), ...tensors.values()]);
  });

  it('parses from a Uint8Array view at an odd offset into a larger buffer', async () => {
    const a = tf.tensor1d([1, 2, 3]);
    const bytes = await serializeSafetensors({ a });
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const { tensors } = parseSafetensors(big.subarray(3));
    expectClose(tensors.get('a')!, [1, 2, 3], 0);
    tf.dispose([a, ...tensors.values()]);
  });

  describe('rejects truncated or corrupt data with a clear error', () => {
    const f32 = (shape: number[], offsets: number[]) => ({ dtype: 'F32', shape, data_offsets: offsets });
    const eight = new Uint8Array(8);

    it.each([
      ['shorter than the length field', Uint8Array.of(1, 2, 3), /3 bytes is too short/],
      [
        'header length beyond the file',
        fileOf({}, new Uint8Array()).subarray(0, 9),
        /runs past the end of the file/,
      ],
      [
        'a header length near 2^64',
        Uint8Array.of(255, 255, 255, 255, 255, 255, 255, 255, 123),
        /exceeds the/,
      ],
      [
        'header not JSON',
        fileOf(null, new Uint8Array(), { rawHeader: '{"a": ' }),
        /header is not valid JSON/,
      ],
      [
        'header not an object',
        fileOf(null, new Uint8Array(), { rawHeader: '[1, 2]' }),
        /must start with '\{'/,
      ],
      ['header not UTF-8', Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff, 0xfe, 0x7d), /not valid UTF-8/],
      [
        'an unknown dtype',
        fileOf({ a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
        /unsupported dtype F8_E4M3/,
      ],
      [
        'a negative dimension',
        fileOf({ a: f32([-1], [0, 4]) }, new Uint8Array(4)),
        /shape \[-1\] is not a list/,
      ],
      [
        'offsets that end before they begin',
        fileOf({ a: f32([0], [4, 0]) }, new Uint8Array(4)),
        /end before they begin/,
      ],
      [
        'byte length ≠ shape × dtype size',
        fileOf({ a: f32([3], [0, 8]) }, eight),
        /holds 8 bytes but shape \[3\] of F32 needs 12/,
      ],
      [
        'data past the end (truncated)',
        fileOf({ a: f32([2], [0, 8]) }, new Uint8Array(5)),
        /run past the data section \(5 bytes\); truncated\?/,
      ],
      [
        'overlapping tensors',
        fileOf({ a: f32([2], [0, 8]), b: f32([1], [4, 8]) }, eight),
        /'b'.*overlap the previous tensor/,
      ],
      [
        'a gap between tensors',
        fileOf({ a: f32([1], [0, 4]), b: f32([0], [8, 8]) }, eight),
        /bytes 4\.\.8 are not covered/,
      ],
      [
        'trailing bytes after the data',
        fileOf({ a: f32([1], [0, 4]) }, eight),
        /4 trailing data bytes are not covered/,
      ],
      [
        'bad metadata',
        fileOf({ __metadata__: { a: 1 } }, new Uint8Array()),
        /__metadata__ must be an object of string values/,
      ],
      [
        'an int64 beyond int32',
        fileOf({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, le('i64', [2n ** 40n])),
        /I64 value 1099511627776 at element 0 does not fit in int32/,
      ],
      [
        'a BOOL byte that is not 0 or 1',
        fileOf({ a: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, Uint8Array.of(1, 7)),
        /BOOL byte 7 at element 1/,
      ],
      [
        'an F64 beyond float32',
        fileOf({ a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, le('f64', [1e300])),
        /overflows float32/,
      ],
    ])('%s', (_, bytes, message) => {
      expect(parseError(bytes).message).toMatch(message);
    });

    it('names the tensor at fault', () => {
      const e = parseError(fileOf({ weight: f32([3], [0, 8]) }, eight));
      expect(e.tensor).toBe('weight');
      expect(e.message).toMatch(/^Invalid safetensors data \(tensor 'weight'\): holds 8 bytes/);
    });

    it('reports every truncation of a valid file as an error, never a partial load', async () => {
      const a = tf.tensor1d([1, 2, 3]);
      const b = tf.tensor2d([4, 5, 6, 7], [2, 2]);
      const bytes = await serializeSafetensors({ a, b });
      for (let n = 0; n < bytes.length; n++) parseError(bytes.subarray(0, n));
      tf.dispose([a, b]);
    });
  });

  it('refuses to save names it cannot write and string tensors', async () => {
    const a = tf.tensor1d([1]);
    await expect(serializeSafetensors({ __metadata__: a })).rejects.toThrow(/cannot name a tensor/);
    const s = tf.tensor1d(['x'], 'string');
    await expect(serializeSafetensors({ s })).rejects.toThrow(/cannot save dtype string/);
    tf.dispose([a, s]);
  });
});

describe('parseSafetensors on a Node Buffer', () => {
  it('reads tensors from a Buffer that is a view into a larger pool (readFile results)', async () => {
    const a = tf.tensor1d([1.5, -2, 3.25], 'float32');
    const b = tf.tensor1d([7, 8], 'int32');
    const bytes = await serializeSafetensors(
      new Map<string, tf.Tensor>([
        ['a', a],
        ['b', b],
      ]),
    );
    // A Buffer at a non-zero offset of a bigger ArrayBuffer, as Node's pool and readFile hand out.
    const pool = Buffer.alloc(bytes.length + 37);
    Buffer.from(bytes).copy(pool, 37);
    const { tensors } = parseSafetensors(pool.subarray(37));
    expect(Array.from(tensors.get('a')!.dataSync())).toEqual([1.5, -2, 3.25]);
    expect(Array.from(tensors.get('b')!.dataSync())).toEqual([7, 8]);
    tf.dispose([a, b, ...tensors.values()]);
  });
});
