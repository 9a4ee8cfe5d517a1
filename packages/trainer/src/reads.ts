/**
 * One implementation, two ways to read the device. WebGPU in Node has no synchronous reads
 * (`dataSync` throws there), yet `SequenceModel` and the decoders' sync APIs must stay sync on cpu
 * and wasm. So each algorithm that reads tensors back is written once, as a generator that
 * `yield`s every tensor it needs on the host and receives its values; `readSync` drives it with
 * `dataSync`, `readAsync` with `await data()`. Both give the same values, so the sync and async
 * twins return identical results on backends that have both.
 *
 * Contract: a yielded tensor belongs to the driver, which reads it, disposes it and resumes the
 * generator with its values. When a read fails or the caller stops early, the generator is
 * `return`ed, so its `finally` blocks (disposing states) still run.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** The values of a read tensor (row-major; Float32Array for float32, Int32Array for int32). */
export type HostValues = tf.TypedArray;

/** An algorithm that reads tensors back: yields each tensor to read, returns T. */
export type Reads<T> = Generator<tf.Tensor, T, HostValues>;

/**
 * A decoding stream: yields tensors to read and (as numbers) the tokens it emits; a token's
 * `yield` resumes with an empty array.
 */
export type TokenReads = Generator<tf.Tensor | number, void, HostValues>;

const NOTHING: HostValues = new Float32Array(0);

function readNow(t: tf.Tensor): HostValues {
  try {
    return t.dataSync() as HostValues;
  } finally {
    t.dispose();
  }
}

async function readLater(t: tf.Tensor): Promise<HostValues> {
  try {
    return (await t.data()) as HostValues;
  } finally {
    t.dispose();
  }
}

/** Runs `g` reading synchronously (cpu, wasm, WebGL). */
export function readSync<T>(g: Reads<T>): T {
  try {
    let r = g.next(NOTHING);
    while (!r.done) r = g.next(readNow(r.value));
    return r.value;
  } finally {
    g.return(undefined as T);
  }
}

/** Runs `g` reading asynchronously (every backend, WebGPU included). */
export async function readAsync<T>(g: Reads<T>): Promise<T> {
  try {
    let r = g.next(NOTHING);
    while (!r.done) r = g.next(await readLater(r.value));
    return r.value;
  } finally {
    g.return(undefined as T);
  }
}

/** The tokens of a decoding stream, reading synchronously; breaking out of the loop frees its state. */
export function* tokensSync(g: TokenReads): Generator<number, void, undefined> {
  try {
    let r = g.next(NOTHING);
    while (!r.done) {
      if (typeof r.value === 'number') {
        yield r.value;
        r = g.next(NOTHING);
      } else r = g.next(readNow(r.value));
    }
  } finally {
    g.return();
  }
}

/** The tokens of a decoding stream, reading asynchronously. */
export async function* tokensAsync(g: TokenReads): AsyncGenerator<number, void, undefined> {
  try {
    let r = g.next(NOTHING);
    while (!r.done) {
      if (typeof r.value === 'number') {
        yield r.value;
        r = g.next(NOTHING);
      } else r = g.next(await readLater(r.value));
    }
  } finally {
    g.return();
  }
}
