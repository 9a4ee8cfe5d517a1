/**
 * JSB chorales as piano rolls: each time step an 88-key 0/1 vector (MIDI pitches 21-108). A
 * model reads x[:-1] and predicts x[1:]; batches are padded on the right with a [B, T-1] mask.
 */

import { PIANO_KEYS, pianoRoll } from '@strand/data';
import { loadJsbChorales } from '@strand/data/node';
import * as tf from '@tensorflow/tfjs-core';

export const KEYS = PIANO_KEYS;

export interface Roll {
  /** [time * 88] row-major. */
  readonly data: Uint8Array;
  readonly time: number;
}

export interface MusicCorpus {
  readonly train: Roll[];
  readonly valid: Roll[];
  readonly test: Roll[];
}

export function toRoll(chorale: readonly (readonly number[])[]): Roll {
  return { data: pianoRoll(chorale), time: chorale.length };
}

/** `limit`: the first N chorales of each split (smoke runs). Chorales shorter than 2 steps predict nothing and are dropped. */
export async function loadMusicCorpus(o: {
  dataDir: string | undefined;
  limit?: number | undefined;
}): Promise<MusicCorpus> {
  const jsb = await loadJsbChorales({ dataDir: o.dataDir });
  const split = (c: number[][][]): Roll[] =>
    (o.limit === undefined ? c : c.slice(0, o.limit)).filter((x) => x.length >= 2).map(toRoll);
  return { train: split(jsb.train), valid: split(jsb.valid), test: split(jsb.test) };
}

export interface RollBatch {
  /** x[:-1], [B, T-1, 88] float32. */
  readonly inputs: tf.Tensor3D;
  /** x[1:], [B, T-1, 88] float32. */
  readonly targets: tf.Tensor3D;
  /** [B, T-1]: 1 for a predicted step, 0 for padding. */
  readonly mask: tf.Tensor2D;
  /** Predicted steps in the batch (the sum of the mask). */
  readonly steps: number;
}

/** Pads `rolls` to the longest and builds the shifted input/target pair. */
export function rollBatch(rolls: readonly Roll[]): RollBatch {
  const B = rolls.length;
  const T = Math.max(...rolls.map((r) => r.time)) - 1;
  const x = new Float32Array(B * T * KEYS);
  const y = new Float32Array(B * T * KEYS);
  const m = new Float32Array(B * T);
  let steps = 0;
  rolls.forEach((r, b) => {
    const n = r.time - 1;
    for (let t = 0; t < n; t++) {
      for (let k = 0; k < KEYS; k++) {
        x[(b * T + t) * KEYS + k] = r.data[t * KEYS + k]!;
        y[(b * T + t) * KEYS + k] = r.data[(t + 1) * KEYS + k]!;
      }
      m[b * T + t] = 1;
    }
    steps += n;
  });
  return {
    inputs: tf.tensor3d(x, [B, T, KEYS]),
    targets: tf.tensor3d(y, [B, T, KEYS]),
    mask: tf.tensor2d(m, [B, T]),
    steps,
  };
}

export function disposeBatch(b: RollBatch): void {
  tf.dispose([b.inputs, b.targets, b.mask]);
}

/** Batches of similar lengths (less padding): sorted by length, cut into groups of `size`. */
export function lengthBatches(rolls: readonly Roll[], size: number): Roll[][] {
  const sorted = [...rolls].sort((a, b) => a.time - b.time);
  const out: Roll[][] = [];
  for (let i = 0; i < sorted.length; i += size) out.push(sorted.slice(i, i + size));
  return out;
}
