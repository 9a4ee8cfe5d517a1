/**
 * Stateful one-step decoding over any AutoregressiveModel: the prompt runs once, then each new
 * token runs alone from the carried state (a recurrent state, or a transformer's KV cache), never
 * re-running the prefix. One device read per step: the last position's logits of every row.
 *
 * The stepping is written once (`openStepper`, yielding its reads; see ../reads.ts) and driven
 * synchronously by `createStepper` (cpu, wasm) or asynchronously by `createStepperAsync` (WebGPU).
 */
import { InputError, type Sequence } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import type { AutoregressiveModel } from '../model.js';
import { checkIdValues, tidy } from '../models/common.js';
import { mapStateLeaves } from '../models/recurrent.js';
import { type Reads, readAsync, readSync } from '../reads.js';

export interface Stepper<S> {
  /** Next-token logits of each row, [rows][vocabSize], after everything fed so far. */
  readonly logits: Float32Array[];
  /** Feeds one token per row and updates `logits`. */
  feed(tokens: readonly number[]): void;
  /** Keeps only rows `rows` (in that order; repeats allowed): beam search reordering. */
  select(rows: readonly number[]): void;
  readonly state: S;
  dispose(): void;
}

/** A Stepper whose `feed` reads the logits asynchronously (every backend, WebGPU included). */
export interface AsyncStepper<S> {
  /** Next-token logits of each row, [rows][vocabSize], after everything fed so far. */
  readonly logits: Float32Array[];
  /** Feeds one token per row; resolves once `logits` is updated. */
  feed(tokens: readonly number[]): Promise<void>;
  /** Keeps only rows `rows` (in that order; repeats allowed): beam search reordering. No read. */
  select(rows: readonly number[]): void;
  readonly state: S;
  dispose(): void;
}

/** The state of rows `rows`: the model's own selectState, else a gather along axis 0 of every tensor. */
export function selectRows<S>(model: AutoregressiveModel<S>, state: S, rows: readonly number[]): S {
  if (model.selectState) return model.selectState(state, rows);
  return tidy(() => {
    const idx = tf.tensor1d(Int32Array.from(rows), 'int32');
    return model.keepState(mapStateLeaves(state, (t) => tf.gather(t, idx, 0)));
  });
}

/** The stepper's state and steps; `feed` yields its one read (the driver decides how to read). */
export class StepperCore<S> {
  state: S;
  logits: Float32Array[] = [];

  constructor(
    private readonly model: AutoregressiveModel<S>,
    rows: number,
  ) {
    this.state = model.initialState(rows);
  }

  /** Runs ids [rows, T] (row-major) from the state; reads the last step's logits [rows, V]. */
  *run(ids: Int32Array, T: number): Reads<void> {
    const model = this.model;
    const rows = ids.length / T;
    const { next, last } = tidy(() => {
      const r = model.forward(tf.tensor2d(ids, [rows, T], 'int32'), this.state, { training: false });
      const lastStep = tf.reshape(tf.slice(r.logits, [0, T - 1, 0], [rows, 1, -1]), [rows, model.vocabSize]);
      return { next: model.keepState(r.state), last: lastStep };
    });
    model.disposeState(this.state);
    this.state = next;
    const v = (yield last) as Float32Array;
    const V = model.vocabSize;
    this.logits = Array.from({ length: rows }, (_, b) => v.slice(b * V, (b + 1) * V));
  }

  /** Feeds one token per row. */
  *feed(tokens: readonly number[]): Reads<void> {
    checkIdValues(tokens, this.model.vocabSize, 'token');
    yield* this.run(Int32Array.from(tokens), 1);
  }

  select(rows: readonly number[]): void {
    const next = selectRows(this.model, this.state, rows);
    this.model.disposeState(this.state);
    this.state = next;
    this.logits = rows.map((r) => this.logits[r]!);
  }

  dispose(): void {
    this.model.disposeState(this.state);
  }
}

/**
 * Checks `prompts` (one per row, all the same length, at least one token each), runs them in
 * chunks of at most the model's context length and returns the stepper; on failure (or when the
 * driver stops) its state is freed.
 */
export function* openStepper<S>(
  model: AutoregressiveModel<S>,
  prompts: readonly Sequence[],
): Reads<StepperCore<S>> {
  const B = prompts.length;
  const L = prompts[0]?.length ?? 0;
  if (B === 0 || L === 0 || prompts.some((p) => p.length !== L)) {
    throw new InputError({
      what: 'prompt',
      expected: 'at least one token (and the same length in every row)',
      received: `lengths [${prompts.map((p) => p.length).join(', ')}]`,
    });
  }
  prompts.forEach((p, k) => {
    checkIdValues(p, model.vocabSize, `prompt[${k}] id`);
  });
  const core = new StepperCore(model, B);
  let ok = false;
  try {
    const chunk = Number.isFinite(model.contextLength) ? model.contextLength : 512;
    for (let t0 = 0; t0 < L; t0 += chunk) {
      const T = Math.min(chunk, L - t0);
      const ids = new Int32Array(B * T);
      prompts.forEach((p, b) => {
        for (let t = 0; t < T; t++) ids[b * T + t] = p[t0 + t]!;
      });
      yield* core.run(ids, T);
    }
    ok = true;
    return core;
  } finally {
    if (!ok) core.dispose();
  }
}

/**
 * Runs `prompts` (one per row, all the same length, at least one token each) and returns a stepper
 * that reads synchronously (cpu, wasm; WebGPU in Node cannot: use `createStepperAsync`).
 * The prompt is fed in chunks of at most the model's context length.
 */
export function createStepper<S>(model: AutoregressiveModel<S>, prompts: readonly Sequence[]): Stepper<S> {
  const core = readSync(openStepper(model, prompts));
  return {
    get logits() {
      return core.logits;
    },
    get state() {
      return core.state;
    },
    feed: (tokens) => readSync(core.feed(tokens)),
    select: (rows) => core.select(rows),
    dispose: () => core.dispose(),
  };
}

/** createStepper reading asynchronously: works on every backend, WebGPU included. */
export async function createStepperAsync<S>(
  model: AutoregressiveModel<S>,
  prompts: readonly Sequence[],
): Promise<AsyncStepper<S>> {
  const core = await readAsync(openStepper(model, prompts));
  return {
    get logits() {
      return core.logits;
    },
    get state() {
      return core.state;
    },
    feed: (tokens) => readAsync(core.feed(tokens)),
    select: (rows) => core.select(rows),
    dispose: () => core.dispose(),
  };
}
