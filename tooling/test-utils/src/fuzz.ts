/**
 * Seeded fuzzing of file-format readers. `mutations` derives hostile inputs from a valid one
 * (truncation, flipped bytes, inserted and deleted runs, huge declared numbers, deep nesting,
 * invalid UTF-8, NaN-ish tokens); `fuzzReader` feeds each to a reader and asserts that it either
 * returns (and then, when a strict reference is given, agrees with it) or throws a StrandError:
 * never a raw RangeError/SyntaxError/TypeError, never a hang.
 */
import { Rng, StrandError } from '@strand/base';
import { expect } from 'vitest';

const encoder = new TextEncoder();

/** Tokens that stress number and size parsing when spliced into text formats. */
const HOSTILE_TEXT = [
  '4294967296',
  '2147483648',
  '9007199254740993',
  '1e999',
  '-1e999',
  'NaN',
  'Infinity',
  '-0',
  '0x1F',
  '1e-400',
  '-1',
  '99999999999999999999',
  'null',
  'true',
  '"',
  '\\',
  '\t',
  '\n',
  '\r\n',
  ' ',
  '',
  '[',
  ']',
  '{',
  '}',
  ':',
  ',',
  '\u0000',
  '\uFEFF',
  '\uD800',
];

export interface MutationOptions {
  readonly seed: number;
  readonly count: number;
}

/** `count` seeded mutations of `input` (bytes); the same seed gives the same list. */
export function mutations(input: Uint8Array, { seed, count }: MutationOptions): Uint8Array[] {
  const rng = new Rng(seed);
  const out: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    let bytes: Uint8Array = Uint8Array.from(input); // a copy: Buffer.slice() would give views into the caller's bytes
    const rounds = 1 + rng.int(3);
    for (let r = 0; r < rounds; r++) bytes = mutateOnce(bytes, rng);
    out.push(bytes);
  }
  return out;
}

function splice(bytes: Uint8Array, at: number, removeAtMost: number, insert: Uint8Array): Uint8Array {
  const remove = Math.min(removeAtMost, bytes.length - at); // near the end fewer bytes are left
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

function mutateOnce(bytes: Uint8Array, rng: Rng): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : rng.int(n);
  switch (rng.int(9)) {
    case 0: // truncation
      return bytes.slice(0, at);
    case 1: {
      // flipped bits in a few bytes
      const copy = bytes.slice();
      for (let i = 0, m = 1 + rng.int(4); i < m && n > 0; i++) {
        const j = rng.int(n);
        copy[j] = copy[j]! ^ (1 << rng.int(8));
      }
      return copy;
    }
    case 2: // random bytes overwritten
      {
        const copy = bytes.slice();
        for (let i = 0, m = 1 + rng.int(8); i < m && n > 0; i++) copy[rng.int(n)] = rng.int(256);
        return copy;
      }
    case 3: // a run deleted
      return splice(bytes, at, Math.min(n - at, 1 + rng.int(16)), new Uint8Array());
    case 4: // a run duplicated
      {
        const len = Math.min(n - at, 1 + rng.int(64));
        return splice(bytes, at, 0, bytes.slice(at, at + len));
      }
    case 5: // a hostile token spliced in (huge numbers, NaN, structure characters)
      return splice(bytes, at, rng.int(4), encoder.encode(HOSTILE_TEXT[rng.int(HOSTILE_TEXT.length)]!));
    case 6: // invalid UTF-8
      {
        const bad = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]][
          rng.int(5)
        ]!;
        return splice(bytes, at, 0, Uint8Array.from(bad));
      }
    case 7: // deep nesting
      {
        const depth = 1000 + rng.int(100_000);
        const open = rng.int(2) === 0 ? '[' : '{"a":';
        return splice(bytes, at, 0, encoder.encode(open.repeat(depth)));
      }
    default: {
      // a 32/64-bit little-endian huge number overwritten (binary headers, declared sizes)
      const copy = bytes.slice();
      const width = rng.int(2) === 0 ? 4 : 8;
      for (let i = 0; i < width && at + i < n; i++) copy[at + i] = i === width - 1 ? 0x7f : 0xff;
      return copy;
    }
  }
}

export interface FuzzOptions<T> {
  /** A valid input of the format. */
  readonly input: Uint8Array | string;
  /** The reader under test, on one mutated input. */
  readonly read: (bytes: Uint8Array) => T | Promise<T>;
  /** A strict reference reader: when the reader accepts an input, the reference must accept it too and agree. */
  readonly reference?: (bytes: Uint8Array) => unknown;
  /** Turns an accepted result into something comparable with the reference's result. */
  readonly project?: (result: T) => unknown;
  readonly seed?: number;
  /** Number of mutated inputs. Default 500. */
  readonly count?: number;
  /** Longest time one input may take, in ms. Default 1000. */
  readonly maxMs?: number;
}

export interface FuzzReport {
  readonly accepted: number;
  readonly rejected: number;
  /** Error codes seen, with counts. */
  readonly codes: Readonly<Record<string, number>>;
}

/** Runs the reader over seeded mutations and asserts only typed errors leave it. */
export async function fuzzReader<T>(options: FuzzOptions<T>): Promise<FuzzReport> {
  const input = typeof options.input === 'string' ? encoder.encode(options.input) : options.input;
  const maxMs = options.maxMs ?? 1000;
  const cases = mutations(input, { seed: options.seed ?? 1, count: options.count ?? 500 });
  let accepted = 0;
  let rejected = 0;
  const codes: Record<string, number> = {};
  for (let i = 0; i < cases.length; i++) {
    const bytes = cases[i]!;
    const started = performance.now();
    let result: T | undefined;
    let error: unknown;
    try {
      result = await options.read(bytes);
    } catch (e) {
      error = e;
    }
    const ms = performance.now() - started;
    if (ms > maxMs) expect.fail(`fuzz case ${i} took ${ms.toFixed(0)} ms (limit ${maxMs})`);
    if (error !== undefined) {
      if (!(error instanceof StrandError)) {
        const e = error as Error;
        expect.fail(
          `fuzz case ${i}: untyped ${e?.name ?? typeof e}: ${String(e?.message ?? e).slice(0, 300)}`,
        );
      }
      rejected++;
      codes[error.code] = (codes[error.code] ?? 0) + 1;
      continue;
    }
    accepted++;
    if (options.reference !== undefined) {
      let expected: unknown;
      try {
        expected = options.reference(bytes);
      } catch (e) {
        expect.fail(
          `fuzz case ${i}: accepted input that the strict reference rejects (${String((e as Error).message).slice(0, 200)})`,
        );
      }
      const got = options.project ? options.project(result as T) : result;
      expect(got, `fuzz case ${i}: result differs from the reference`).toEqual(expected);
    }
  }
  return { accepted, rejected, codes };
}
