import { SafetensorsError } from '../errors.js';

/** Bytes per element of each safetensors dtype Strand can read. */
export const DTYPE_SIZES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_SIZES;

export function isSupportedDtype(d: string): d is SafetensorsDtype {
  return Object.hasOwn(DTYPE_SIZES, d);
}

export type Decoded =
  | { readonly dtype: 'float32'; readonly values: Float32Array }
  | { readonly dtype: 'int32'; readonly values: Int32Array }
  | { readonly dtype: 'bool'; readonly values: Uint8Array };

export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE 754 half precision to a double. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal
  if (exponent === 31) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * Converts one tensor's little-endian bytes to the tfjs dtype that holds it: floats → float32,
 * integers → int32 (an error for a value out of int32 range, never a silent wrap), BOOL → bool.
 */
export function decode(
  dtype: SafetensorsDtype,
  bytes: Uint8Array,
  count: number,
  where: { readonly tensor: string; readonly file?: string | undefined },
): Decoded {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (reason: string): never => {
    throw new SafetensorsError(reason, where);
  };
  const intOutOfRange = (value: number | string, i: number): never =>
    fail(`${dtype} value ${value} at element ${i} does not fit in int32 (tfjs' integer type)`);
  switch (dtype) {
    case 'F32': {
      if (LITTLE_ENDIAN_HOST)
        return { dtype: 'float32', values: new Float32Array(new Uint8Array(bytes).buffer, 0, count) };
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return { dtype: 'float32', values: out };
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getFloat64(i * 8, true);
        out[i] = v;
        if (Number.isFinite(v) && !Number.isFinite(out[i]!))
          fail(`F64 value ${v} at element ${i} overflows float32`);
      }
      return { dtype: 'float32', values: out };
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(i * 2, true));
      return { dtype: 'float32', values: out };
    }
    case 'BF16': {
      const bits = new Uint32Array(count); // bfloat16 is the top half of a float32
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return { dtype: 'float32', values: new Float32Array(bits.buffer) };
    }
    case 'I32': {
      if (LITTLE_ENDIAN_HOST)
        return { dtype: 'int32', values: new Int32Array(new Uint8Array(bytes).buffer, 0, count) };
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return { dtype: 'int32', values: out };
    }
    case 'I64':
    case 'U64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const lo = view.getUint32(i * 8, true);
        const hi = view.getInt32(i * 8 + 4, true);
        const fits =
          dtype === 'I64'
            ? (hi === 0 && lo <= INT32_MAX) || (hi === -1 && lo > INT32_MAX)
            : hi === 0 && lo <= INT32_MAX;
        if (!fits) {
          const big = dtype === 'I64' ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true);
          intOutOfRange(big.toString(), i);
        }
        out[i] = lo | 0;
      }
      return { dtype: 'int32', values: out };
    }
    case 'U32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getUint32(i * 4, true);
        if (v > INT32_MAX) intOutOfRange(v, i);
        out[i] = v;
      }
      return { dtype: 'int32', values: out };
    }
    case 'I16':
    case 'U16':
    case 'I8':
    case 'U8': {
      const out = new Int32Array(count);
      const get =
        dtype === 'I16'
          ? (i: number) => view.getInt16(i * 2, true)
          : dtype === 'U16'
            ? (i: number) => view.getUint16(i * 2, true)
            : dtype === 'I8'
              ? (i: number) => view.getInt8(i)
              : (i: number) => view.getUint8(i);
      for (let i = 0; i < count; i++) out[i] = get(i);
      return { dtype: 'int32', values: out };
    }
    case 'BOOL': {
      const out = bytes.slice(0, count);
      const bad = out.findIndex((v) => v > 1);
      if (bad >= 0) fail(`BOOL byte ${out[bad]} at element ${bad} is neither 0 nor 1`);
      return { dtype: 'bool', values: out };
    }
  }
}

/** The safetensors dtype Strand writes for a tfjs dtype. */
export function encodeDtype(dtype: string, name: string): 'F32' | 'I32' | 'BOOL' {
  if (dtype === 'float32') return 'F32';
  if (dtype === 'int32') return 'I32';
  if (dtype === 'bool') return 'BOOL';
  throw new SafetensorsError(`cannot save dtype ${dtype}; supported: float32, int32, bool`, { tensor: name });
}
