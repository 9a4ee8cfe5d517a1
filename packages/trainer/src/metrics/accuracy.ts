/**
 * Token and sequence accuracy from logits [..., C] (argmax, first maximum on ties as
 * torch.argmax) and int32 targets [...], skipping ignored/masked positions. One asynchronous
 * device read per call (so they run on WebGPU too); the counts accumulate in plain numbers.
 */
import { InputError, ShapeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';

export interface AccuracyOptions {
  /** Targets equal to this are skipped; default -100 (as crossEntropy). */
  readonly ignoreIndex?: number;
  /** float32 [...]: 0 skips a position. */
  readonly mask?: tf.Tensor;
}

export interface Counts {
  readonly correct: number;
  readonly total: number;
}

function check(
  what: string,
  logits: tf.Tensor,
  targets: tf.Tensor,
  options: AccuracyOptions,
  minRank: number,
): void {
  if (logits.rank < minRank) throw new ShapeError(`${what} logits`, `rank >= ${minRank}`, logits.shape);
  const outer = logits.shape.slice(0, -1);
  if (targets.shape.length !== outer.length || targets.shape.some((d, i) => d !== outer[i])) {
    throw new ShapeError(`${what} targets`, outer, targets.shape);
  }
  if (targets.dtype !== 'int32') {
    throw new InputError({ what: `${what} targets dtype`, expected: 'int32', received: targets.dtype });
  }
  if (
    options.mask !== undefined &&
    (options.mask.rank !== outer.length || options.mask.shape.some((d, i) => d !== outer[i]))
  ) {
    throw new ShapeError(`${what} mask`, outer, options.mask.shape);
  }
}

/** [...] float32: 1 where a position counts. */
function counted(targets: tf.Tensor, options: AccuracyOptions): tf.Tensor {
  let valid = tf.cast(tf.notEqual(targets, tf.scalar(options.ignoreIndex ?? -100, 'int32')), 'float32');
  if (options.mask !== undefined) valid = tf.mul(valid, tf.cast(tf.notEqual(options.mask, 0), 'float32'));
  return valid;
}

/** Correct predictions and counted positions over all tokens. */
export async function tokenAccuracy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  options: AccuracyOptions = {},
): Promise<Counts> {
  check('tokenAccuracy', logits, targets, options, 2);
  const t = tf.tidy(() => {
    const valid = counted(targets, options);
    const hit = tf.mul(tf.cast(tf.equal(tf.argMax(logits, -1), targets), 'float32'), valid);
    return tf.stack([tf.sum(hit), tf.sum(valid)]);
  });
  const [correct, total] = await readAndDispose(t);
  return { correct: correct!, total: total! };
}

/**
 * Sequences (rows of [B, T]) whose every counted token is right; a sequence with no counted
 * token is not counted.
 */
export async function sequenceAccuracy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  options: AccuracyOptions = {},
): Promise<Counts> {
  check('sequenceAccuracy', logits, targets, options, 3);
  const t = tf.tidy(() => {
    const valid = tf.reshape(counted(targets, options), [targets.shape[0]!, -1]); // [B, T']
    const wrong = tf.mul(
      tf.cast(tf.notEqual(tf.argMax(logits, -1), targets), 'float32'),
      tf.reshape(valid, targets.shape),
    );
    const wrongPerSeq = tf.sum(tf.reshape(wrong, [targets.shape[0]!, -1]), 1); // [B]
    const any = tf.cast(tf.greater(tf.sum(valid, 1), 0), 'float32'); // [B]
    const right = tf.mul(tf.cast(tf.equal(wrongPerSeq, 0), 'float32'), any);
    return tf.stack([tf.sum(right), tf.sum(any)]);
  });
  const [correct, total] = await readAndDispose(t);
  return { correct: correct!, total: total! };
}

/** Accumulates Counts; `value` = correct / total (NaN when nothing counted). */
export class AccuracyMeter {
  correct = 0;
  total = 0;

  add(counts: Counts): this {
    this.correct += counts.correct;
    this.total += counts.total;
    return this;
  }

  get value(): number {
    return this.total === 0 ? Number.NaN : this.correct / this.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}
