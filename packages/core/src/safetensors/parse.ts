import { decodeUtf8, FormatError, parseJson } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsError } from '../errors.js';
import { DTYPE_SIZES, decode, isSupportedDtype, type SafetensorsDtype } from './dtypes.js';

/** The tensors and the free-form string metadata of a safetensors file. */
export interface Safetensors {
  readonly tensors: Map<string, tf.Tensor>;
  readonly metadata: Record<string, string>;
}

export interface TensorEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte range within the data section (after the header). */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** In file order (sorted by offset). */
  readonly entries: readonly TensorEntry[];
  readonly metadata: Record<string, string>;
  /** Where the data section starts in the byte stream: 8 + header length. */
  readonly dataStart: number;
}

/** The reference implementation refuses headers above 100 MB; so do we (a corrupt length must not allocate). */
const MAX_HEADER_BYTES = 100_000_000;
/** A header is {name: {dtype, shape: [...], data_offsets: [...]}}: depth 3; anything deeper is hostile. */
const MAX_HEADER_DEPTH = 4;
/** More axes than any real tensor has; a huge rank must fail before it is walked. */
export const MAX_RANK = 32;
/** tfjs sizes are int32: no axis may be longer. */
const MAX_DIM = 2 ** 31 - 1;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(
  name: string,
  raw: unknown,
  fail: (reason: string, tensor?: string) => never,
): TensorEntry {
  if (!isPlainObject(raw)) fail('entry is not an object', name);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') fail(`dtype is ${JSON.stringify(dtype)}; expected a string`, name);
  if (!isSupportedDtype(dtype)) {
    fail(`unsupported dtype ${dtype}; supported: ${Object.keys(DTYPE_SIZES).join(', ')}`, name);
  }
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => isIndex(d) && d <= MAX_DIM)) {
    const shown =
      Array.isArray(shape) && shape.length > MAX_RANK ? `of rank ${shape.length}` : JSON.stringify(shape);
    fail(`shape ${shown} is not a list of at most ${MAX_RANK} integers in [0, ${MAX_DIM}]`, name);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    fail(`data_offsets ${JSON.stringify(offsets)} is not [begin, end] with non-negative integers`, name);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`data_offsets [${begin}, ${end}] end before they begin`, name);
  // Product with an overflow guard: a declared size beyond the file must not become a rounded float.
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER)
      fail(`shape [${shape.join(', ')}] has more elements than any file holds`, name);
  }
  const want = count * DTYPE_SIZES[dtype];
  if (end - begin !== want) {
    fail(
      `holds ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${want} (${count} × ${DTYPE_SIZES[dtype]})`,
      name,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/**
 * Reads and validates the header of a safetensors byte stream without decoding any tensor:
 * the 8-byte little-endian header length, the UTF-8 JSON header (which may be padded with spaces),
 * and offsets that cover the data section exactly, in order, without gaps or overlaps.
 *
 * @param bytes the whole file, or at least its header (pass `totalLength` for the file's size then)
 */
export function parseSafetensorsHeader(
  bytes: Uint8Array,
  { file, totalLength = bytes.byteLength }: { file?: string | undefined; totalLength?: number } = {},
): SafetensorsHeader {
  const fail = (reason: string, tensor?: string): never => {
    throw new SafetensorsError(reason, { file, tensor });
  };
  if (totalLength < 8 || bytes.byteLength < 8)
    fail(
      `${Math.min(totalLength, bytes.byteLength)} bytes is too short; a file starts with an 8-byte header length`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLength = hi * 2 ** 32 + lo;
  if (headerLength > MAX_HEADER_BYTES)
    fail(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + headerLength > totalLength) {
    fail(
      `header length ${headerLength} runs past the end of the file (${totalLength - 8} bytes after the length field); truncated?`,
    );
  }
  if (8 + headerLength > bytes.byteLength)
    fail(`only ${bytes.byteLength} bytes given; the header needs ${8 + headerLength}`);
  let text: string;
  let json: unknown;
  try {
    text = decodeUtf8(bytes.subarray(8, 8 + headerLength), { format: 'safetensors', source: file });
    if (!text.startsWith('{')) fail(`header must start with '{', found ${JSON.stringify(text.slice(0, 16))}`);
    json = parseJson(text, { format: 'safetensors', source: file, maxDepth: MAX_HEADER_DEPTH });
  } catch (error) {
    if (!(error instanceof FormatError) || error instanceof SafetensorsError) throw error;
    // UTF-8 offsets are within the header; report them within the file.
    const byteOffset = error.byteOffset === undefined ? undefined : 8 + error.byteOffset;
    const where = error.line === undefined ? '' : ` at line ${error.line}, column ${error.column}`;
    throw new SafetensorsError(
      error.reason === 'invalid UTF-8'
        ? 'header is not valid UTF-8'
        : `header is not valid JSON${where}: ${error.reason}`,
      { file, byteOffset },
      { cause: error },
    );
  }
  if (!isPlainObject(json)) return fail('header is not a JSON object');

  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isPlainObject(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
        fail('__metadata__ must be an object of string values');
      }
      metadata = { ...(raw as Record<string, string>) };
      continue;
    }
    entries.push(parseEntry(name, raw, fail));
  }

  const dataLength = totalLength - 8 - headerLength;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (const e of entries) {
    if (e.end > dataLength) {
      fail(
        `data_offsets [${e.begin}, ${e.end}] run past the data section (${dataLength} bytes); truncated?`,
        e.name,
      );
    }
  }
  let cursor = 0;
  for (const e of entries) {
    if (e.begin > cursor) fail(`data bytes ${cursor}..${e.begin} are not covered by any tensor`);
    if (e.begin < cursor)
      fail(`data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (ends at ${cursor})`, e.name);
    cursor = e.end;
  }
  if (cursor !== dataLength) fail(`${dataLength - cursor} trailing data bytes are not covered by any tensor`);
  return { entries, metadata, dataStart: 8 + headerLength };
}

/**
 * Parses a whole safetensors file (browser-safe). Every check runs before any tensor is made,
 * so a corrupt file throws a SafetensorsError and leaves no tensors behind.
 * F64/F16/BF16 become float32; integer dtypes become int32 (an error when a value does not fit); BOOL → bool.
 *
 * @example
 * const { tensors, metadata } = parseSafetensors(await (await fetch(url)).arrayBuffer());
 */
export function parseSafetensors(
  bytes: ArrayBuffer | Uint8Array,
  { file }: { file?: string | undefined } = {},
): Safetensors {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const header = parseSafetensorsHeader(u8, { file });
  const decoded = header.entries.map((e) => {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const data = u8.subarray(header.dataStart + e.begin, header.dataStart + e.end);
    return { entry: e, ...decode(e.dtype, data, count, { file, tensor: e.name }) };
  });
  const tensors = new Map<string, tf.Tensor>();
  for (const { entry, dtype, values } of decoded)
    tensors.set(entry.name, tf.tensor(values, [...entry.shape], dtype));
  return { tensors, metadata: header.metadata };
}
