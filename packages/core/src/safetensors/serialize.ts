import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsError } from '../errors.js';
import { encodeDtype, LITTLE_ENDIAN_HOST } from './dtypes.js';

/** Named tensors: a Map or a plain record (both in insertion order). */
export type NamedTensors = ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;

function entriesOf(named: NamedTensors): [string, tf.Tensor][] {
  return named instanceof Map ? [...named.entries()] : Object.entries(named as Record<string, tf.Tensor>);
}

const SIZES = { F32: 4, I32: 4, BOOL: 1 } as const;

/**
 * The byte stream of a safetensors file, header first, then one chunk per tensor in the given order.
 * Streaming lets a file writer avoid holding the whole file in memory twice.
 * The header is padded with spaces to a multiple of 8 bytes, as the reference writer does.
 */
export async function* safetensorsChunks(
  named: NamedTensors,
  metadata?: Readonly<Record<string, string>>,
): AsyncGenerator<Uint8Array> {
  const entries = entriesOf(named);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new SafetensorsError(`metadata '${k}' is a ${typeof v}; values must be strings`);
    }
    header['__metadata__'] = { ...metadata };
  }
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '' || name === '__metadata__') throw new SafetensorsError(`'${name}' cannot name a tensor`);
    if (!(t instanceof tf.Tensor)) throw new SafetensorsError('is not a tf.Tensor', { tensor: name });
    if (t.isDisposed) throw new SafetensorsError('is disposed', { tensor: name });
    const dtype = encodeDtype(t.dtype, name);
    const length = t.size * SIZES[dtype];
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  const view = new DataView(head.buffer);
  view.setUint32(0, padded, true); // u64 little-endian; headers are far below 2^32 bytes
  view.setUint32(4, 0, true);
  head.set(json, 8);
  yield head;
  for (const [name, t] of entries) {
    if (t.isDisposed) throw new SafetensorsError('was disposed while saving', { tensor: name });
    yield toLittleEndianBytes(await t.data());
  }
}

function toLittleEndianBytes(values: tf.TypedArray | string[]): Uint8Array {
  if (Array.isArray(values)) throw new SafetensorsError('string tensors cannot be saved');
  if (values instanceof Uint8Array) return values;
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float32Array) view.setFloat32(i * 4, values[i]!, true);
    else view.setInt32(i * 4, values[i]!, true);
  }
  return out;
}

/**
 * Serialises named tensors to the safetensors format (float32 → F32, int32 → I32, bool → BOOL).
 * Browser-safe; in Node, `saveSafetensorsFile` from `@strand/core/node` writes a file atomically.
 *
 * @example
 * const bytes = await serializeSafetensors({ weight: w }, { format: 'pt' });
 */
export async function serializeSafetensors(
  named: NamedTensors,
  metadata?: Readonly<Record<string, string>>,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of safetensorsChunks(named, metadata)) chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
