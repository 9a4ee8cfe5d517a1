import * as tf from '@tensorflow/tfjs-core';
import { runFused } from './kernel.js';
import { columnsT, maskedGrad, transposeRows } from './kernels-common.js';

/** The tensors one fused run works on. In the backward pass they are the saved copies. */
export interface FusedInputs {
  /** [batch, time, features], after input dropout. */
  readonly x: tf.Tensor3D;
  /** Initial states in the cell's order: [h] or [h, c]. */
  readonly states: readonly tf.Tensor2D[];
  /** The cell's weights in the order its `FusedCell` defines (absent ones left out). */
  readonly weights: readonly tf.Tensor[];
  /** [batch, time] of 0/1, or null. */
  readonly mask: tf.Tensor2D | null;
  /** [batch, outputSize] recurrent-dropout mask, or null. */
  readonly recMask: tf.Tensor2D | null;
}

export interface FusedSettings {
  readonly reverse: boolean;
  /** 0 = full BPTT; k > 0 cuts the gradient before every k-th step (in processing order). */
  readonly truncate: number;
  /**
   * The inputs are already x · Wx (+ b), [batch, time, gates · H] (see `foldInputProjection`): the cell skips
   * its input projection, the gradient w.r.t. the inputs is the pre-activation gradient itself, and Wx, b
   * get zero gradient from this op (theirs flows through the folded table).
   */
  readonly projected: boolean;
}

/** Receives ‖∂L/∂h_t‖ for t = 0..T-1 (a kept [T] tensor the receiver disposes). */
export type NormProbe = (norms: tf.Tensor1D) => void;

/** One cell type's explicit forward (saving what backward needs) and explicit backward loop. */
export interface FusedCell {
  forward(
    ins: FusedInputs,
    settings: FusedSettings,
  ): { readonly outputs: tf.Tensor3D; readonly finals: tf.Tensor2D[]; readonly saved: tf.Tensor[] };
  /** Gradients for [x, ...states, ...weights], in that order. */
  backward(
    ins: FusedInputs,
    saved: readonly tf.Tensor[],
    dOut: tf.Tensor3D | null,
    dFinals: readonly (tf.Tensor2D | null)[],
    settings: FusedSettings,
    probe: NormProbe | null,
  ): tf.Tensor[];
}

/**
 * Runs a fused cell under `tf.customGrad`: the forward is the cell's explicit loop, the backward its
 * explicit BPTT. customGrad takes one output tensor, so outputs and final states travel packed side by side
 * as [batch, time · outputSize + Σ state sizes] and are sliced apart here.
 */
export function runFusedCell(
  cell: FusedCell,
  ins: FusedInputs,
  settings: FusedSettings,
  { wantFinals, probe }: { readonly wantFinals: boolean; readonly probe: NormProbe | null },
): { outputs: tf.Tensor3D; finals: tf.Tensor2D[] } {
  const [B, T] = ins.x.shape;
  const nStates = ins.states.length;
  const nWeights = ins.weights.length;
  const extras = [ins.mask, ins.recMask].filter((t): t is tf.Tensor2D => t !== null);
  const stateSizes = ins.states.map((s) => s.shape[1]);
  let P = 0;

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const tensors = args as tf.Tensor[];
    const fwd = cell.forward(ins, settings);
    P = fwd.outputs.shape[2];
    save([...tensors, ...extras, ...fwd.saved]);
    const value = wantFinals
      ? tf.concat([tf.reshape(fwd.outputs, [B, T * P]), ...fwd.finals], 1) // [B, T·P + Σ sizes]
      : fwd.outputs;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        let i = 0;
        const take = (n: number) => {
          const part = saved.slice(i, i + n);
          i += n;
          return part;
        };
        const x = take(1)[0] as tf.Tensor3D;
        const states = take(nStates) as tf.Tensor2D[];
        const weights = take(nWeights);
        const mask = ins.mask === null ? null : (take(1)[0] as tf.Tensor2D);
        const recMask = ins.recMask === null ? null : (take(1)[0] as tf.Tensor2D);
        const rest = saved.slice(i);
        let dOut: tf.Tensor3D;
        const dFinals: tf.Tensor2D[] = [];
        if (wantFinals) {
          dOut = tf.reshape(tf.slice(dy, [0, 0], [B, T * P]), [B, T, P]);
          let off = T * P;
          for (const size of stateSizes) {
            dFinals.push(tf.slice(dy, [0, off], [B, size]) as tf.Tensor2D);
            off += size;
          }
        } else {
          dOut = dy as tf.Tensor3D;
        }
        return cell.backward({ x, states, weights, mask, recMask }, rest, dOut, dFinals, settings, probe);
      },
    };
  });

  const packed = op(ins.x, ...ins.states, ...ins.weights);
  if (!wantFinals) return { outputs: packed as tf.Tensor3D, finals: [] };
  return tf.tidy(() => {
    const outputs = tf.reshape(tf.slice(packed, [0, 0], [B, T * P]), [B, T, P]) as tf.Tensor3D;
    const finals: tf.Tensor2D[] = [];
    let off = T * P;
    for (const size of stateSizes) {
      finals.push(tf.slice(packed, [0, off], [B, size]) as tf.Tensor2D);
      off += size;
    }
    return { outputs, finals };
  });
}

// ---- helpers for the cells' loops ----

/** The wasm backend's matmul is fast only without transpose flags; elsewhere the flags are free. */
function explicitTranspose(): boolean {
  return tf.getBackend() === 'wasm';
}

/** a · bᵀ, with bᵀ materialised once where that is faster. Returns a function for the per-step loop. */
export function timesTransposed(b: tf.Tensor2D): { apply(a: tf.Tensor2D): tf.Tensor2D; dispose(): void } {
  if (explicitTranspose()) {
    const bt = tf.transpose(b) as tf.Tensor2D;
    return { apply: (a) => tf.matMul(a, bt), dispose: () => bt.dispose() };
  }
  return { apply: (a) => tf.matMul(a, b, false, true), dispose: () => {} };
}

/** How `weightGrads` lays out its one matmul: 'aT' = [xᵀ; 1; hᵀ] · dz, 'dzT' = (dzᵀ · [x, 1, h])ᵀ. */
export type WeightGradLayout = 'aT' | 'dzT';
let weightGradLayout: WeightGradLayout = 'aT';

/**
 * Selects the weight-gradient layout (same numbers up to float rounding; the benchmark measures both).
 * @internal
 */
export function setWeightGradLayout(layout: WeightGradLayout): void {
  weightGradLayout = layout;
}

/**
 * Weight gradients of y_t = x_t · Wx (+ b) + s_t · Ws summed over all steps, as one matmul:
 * [xᵀ; 1ᵀ; sᵀ] · d, so d (the big per-step gradient) is read once.
 * x: [batch, time, F] or null; steps: per-step [batch, P] inputs (in time order) or null;
 * d: [batch · time, out] (row b · time + t) -> { dx: [F, out] | null, db: [out] | null, ds: [P, out] | null }.
 */
export function weightGrads(
  x: tf.Tensor3D | null,
  withBias: boolean,
  steps: readonly tf.Tensor2D[] | null,
  d: tf.Tensor2D,
): { dx: tf.Tensor2D | null; db: tf.Tensor1D | null; ds: tf.Tensor2D | null } {
  const [B, T] = x !== null ? x.shape : [steps![0]!.shape[0], steps!.length];
  const inputs: Record<string, tf.Tensor> = {};
  if (x !== null) inputs['x'] = x;
  steps?.forEach((s, t) => {
    inputs[`s${t}`] = s;
  });
  let g: tf.Tensor2D; // [K, out]
  if (weightGradLayout === 'dzT') {
    // dzᵀ · A: the matmul's second operand (the one tfjs' wasm kernel packs per call) is the small
    // [B·T, K] A, not the [B·T, out] gradient; costs two JS transposes (dz in, the [out, K] result out).
    const [a] = runFused(columnsT, inputs, { batch: B, time: T, ones: withBias, rows: true }); // [B·T, K]
    const [dT] = runFused(transposeRows, { m: d }); // [out, B·T]
    const gT = tf.matMul(dT as tf.Tensor2D, a as tf.Tensor2D); // [out, K]
    g = runFused(transposeRows, { m: gT })[0] as tf.Tensor2D;
    free(a, dT, gT);
  } else {
    const [aT] = runFused(columnsT, inputs, { batch: B, time: T, ones: withBias }); // [K, B·T]
    g = tf.matMul(aT as tf.Tensor2D, d);
  }
  const out = d.shape[1];
  const F = x === null ? 0 : x.shape[2];
  const P = steps === null ? 0 : steps[0]!.shape[1];
  const rows = (from: number, n: number) => tf.slice(g, [from, 0], [n, out]) as tf.Tensor2D;
  return {
    dx: x === null ? null : rows(0, F),
    db: withBias ? (tf.reshape(rows(F, 1), [out]) as tf.Tensor1D) : null,
    ds: steps === null ? null : rows(F + (withBias ? 1 : 0), P),
  };
}

/** Stacks per-step [batch, n] tensors into [batch · time, n] (row b · time + t). */
export function stackRows(steps: readonly tf.Tensor2D[]): tf.Tensor2D {
  const [b, n] = steps[0]!.shape;
  return tf.reshape(tf.stack(steps as tf.Tensor2D[], 1), [b * steps.length, n]);
}

/** x · W (+ b) for every step at once: x [batch, time, in] -> [batch, time, out]. */
export function projectInputs(x: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor3D {
  const [B, T, F] = x.shape;
  const x2 = tf.reshape(x, [B * T, F]);
  const y =
    b === null ? tf.matMul(x2, w as tf.Tensor2D) : tf.fused.matMul({ a: x2, b: w as tf.Tensor2D, bias: b });
  return tf.reshape(y, [B, T, w.shape[1]!]);
}

/** The step inputs x · Wx (+ b): the inputs themselves when the caller folded the projection in. */
export function stepInputs(
  x: tf.Tensor3D,
  w: tf.Tensor,
  b: tf.Tensor | null,
  settings: FusedSettings,
): tf.Tensor3D {
  return settings.projected ? x : projectInputs(x, w, b);
}

/** Processing order: time index of the s-th processed step. */
export function timeIndex(s: number, T: number, reverse: boolean): number {
  return reverse ? T - 1 - s : s;
}

/** Whether the gradient is cut between processed steps s - 1 and s. */
export function cutBefore(s: number, truncate: number): boolean {
  return truncate > 0 && s > 0 && s % truncate === 0;
}

/** The gradient reaching h at the masked-step split (maskedGrad) plus the norm probe. */
export function splitGradient(
  args: {
    dOut: tf.Tensor3D | null;
    dhRec: tf.Tensor2D | null;
    dhRec2?: tf.Tensor2D | null;
    dhPass: tf.Tensor2D | null;
    ins: FusedInputs;
  },
  t: number,
  size: number,
  norms: tf.Tensor[] | null,
): [tf.Tensor2D, tf.Tensor2D] {
  const { ins } = args;
  const [B, T] = ins.x.shape;
  const [valid, pass] = runFused(
    maskedGrad,
    {
      dOut: args.dOut,
      dhRec: args.dhRec,
      dhRec2: args.dhRec2 ?? null,
      recMask: args.dhRec || args.dhRec2 ? ins.recMask : null,
      dhPass: args.dhPass,
      mask: ins.mask,
    },
    { t, batch: B, size, time: T },
  ) as [tf.Tensor2D, tf.Tensor2D];
  if (norms !== null) norms[t] = tf.tidy(() => tf.norm(tf.add(valid, pass)));
  return [valid, pass];
}

/** Gradient w.r.t. the initial h once the loop is done: pass + (dhRec + dhRec2) ⊙ recMask. */
export function initialHGrad(
  dhRec: tf.Tensor2D | null,
  dhRec2: tf.Tensor2D | null,
  dhPass: tf.Tensor2D | null,
  recMask: tf.Tensor2D | null,
  shape: [number, number],
): tf.Tensor2D {
  return tf.tidy(() => {
    let r: tf.Tensor = tf.zeros(shape);
    if (dhRec) r = tf.add(r, dhRec);
    if (dhRec2) r = tf.add(r, dhRec2);
    if (recMask) r = tf.mul(r, recMask);
    if (dhPass) r = tf.add(r, dhPass);
    return r as tf.Tensor2D;
  });
}

/** Hands the per-step norms to the probe as one kept [T] tensor. */
export function reportNorms(norms: tf.Tensor[] | null, probe: NormProbe | null): void {
  if (norms === null || probe === null) return;
  probe(tf.keep(tf.stack(norms) as tf.Tensor1D));
}

/** Disposes the tensors that are not null. */
export function free(...ts: (tf.Tensor | null | undefined)[]): void {
  for (const t of ts) if (t) t.dispose();
}
