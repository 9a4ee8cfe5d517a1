import * as tf from '@tensorflow/tfjs-core';
import type { GruCell } from '../gru.js';
import {
  cutBefore,
  type FusedCell,
  type FusedInputs,
  free,
  initialHGrad,
  reportNorms,
  splitGradient,
  stackRows,
  stepInputs,
  timeIndex,
  timesTransposed,
  weightGrads,
} from './driver.js';
import { runFused } from './kernel.js';
import { addStep, mulBlock } from './kernels-common.js';
import {
  gruBackward,
  gruBackwardN,
  gruBackwardR,
  gruCandidate,
  gruHidden,
  gruPre,
  minGruBackward,
} from './kernels-gru.js';

/** The weights the fused GRU takes, in its order: [Wx, Wh, b?, bh?]. */
export function gruFusedWeights(cell: GruCell): tf.Tensor[] {
  const w = cell.params;
  return [
    w.inputKernel,
    w.recurrentKernel,
    ...(w.bias ? [w.bias] : []),
    ...(w.recurrentBias ? [w.recurrentBias] : []),
  ];
}

interface Parts {
  readonly wx: tf.Tensor2D;
  readonly wh: tf.Tensor2D;
  readonly b: tf.Tensor1D | null;
  readonly bh: tf.Tensor1D | null;
}

function parts(cell: GruCell, weights: readonly tf.Tensor[]): Parts {
  const hasBias = cell.params.bias !== null;
  return {
    wx: weights[0] as tf.Tensor2D,
    wh: weights[1] as tf.Tensor2D,
    b: hasBias ? (weights[2] as tf.Tensor1D) : null,
    bh: cell.params.recurrentBias !== null ? (weights[hasBias ? 3 : 2] as tf.Tensor1D) : null,
  };
}

/** Runs the step's last kernel and records the output. */
function hidden(
  ins: FusedInputs,
  zs: tf.Tensor,
  ns: tf.Tensor,
  h: tf.Tensor2D,
  t: number,
  zOffset: number,
  nOffset: number,
): { h: tf.Tensor2D; y: tf.Tensor2D } {
  const out = runFused(
    gruHidden,
    { zs, ns, hPrev: h, mask: ins.mask },
    { t, zOffset, nOffset },
  ) as tf.Tensor2D[];
  return { h: out[0]!, y: out[1] ?? out[0]! };
}

/**
 * The fused GRU in its three forms. Per step: resetAfter and minimal take one matmul, resetBefore two
 * (the reset gate must be known before (r ⊙ h) · U_n). The candidate's tanh is a sigmoid of doubled
 * pre-activations, so each step has two sigmoid launches (one for the minimal GRU).
 */
export function fusedGru(cell: GruCell): FusedCell {
  const H = cell.config.units;
  const hasBias = cell.params.bias !== null;
  const hasRecurrentBias = cell.params.recurrentBias !== null;
  const variant = cell.config.minimal ? 'minimal' : cell.config.resetAfter ? 'after' : 'before';
  return {
    forward(ins, settings) {
      const { reverse } = settings;
      const T = ins.x.shape[1];
      const { wx, wh, b, bh } = parts(cell, ins.weights);
      const xw = stepInputs(ins.x, wx, b, settings); // [B, T, gates·H], one matmul for all steps
      const R: tf.Tensor[] = new Array(T);
      const HP: tf.Tensor[] = new Array(T);
      const S: tf.Tensor[] = new Array(T);
      const SN: tf.Tensor[] = variant === 'minimal' ? [] : new Array(T);
      const X: tf.Tensor[] = variant === 'minimal' ? [] : new Array(T); // hn2 (after) or r ⊙ hr (before)
      const Y: tf.Tensor2D[] = new Array(T);
      let h = ins.states[0]!;
      const urz = variant === 'before' ? (tf.slice(wh, [0, 0], [H, 2 * H]) as tf.Tensor2D) : null;
      const un = variant === 'before' ? (tf.slice(wh, [0, 2 * H], [H, H]) as tf.Tensor2D) : null;
      for (let s = 0; s < T; s++) {
        const t = timeIndex(s, T, reverse);
        const r = ins.recMask ? (tf.mul(h, ins.recMask) as tf.Tensor2D) : h;
        let next: { h: tf.Tensor2D; y: tf.Tensor2D };
        if (variant === 'after') {
          const a = tf.matMul(r, wh); // [B, 3H]
          const [preRZ, hn2] = runFused(gruPre, { a, xw, bh }, { t });
          a.dispose();
          const srz = tf.sigmoid(preRZ!);
          preRZ!.dispose();
          const [pn2] = runFused(gruCandidate, { srz, hn2, xw }, { t });
          const sn = tf.sigmoid(pn2!);
          pn2!.dispose();
          next = hidden(ins, srz, sn, h, t, H, 0);
          S[t] = srz;
          SN[t] = sn;
          X[t] = hn2!;
        } else if (variant === 'before') {
          const a = tf.matMul(r, urz!); // [B, 2H]
          const [preRZ] = runFused(addStep, { z: a, xw }, { t, offset: 0 });
          a.dispose();
          const srz = tf.sigmoid(preRZ!);
          preRZ!.dispose();
          const [rh] = runFused(mulBlock, { s: srz, h: r }, { offset: 0 }); // r ⊙ hr
          const bn = tf.matMul(rh as tf.Tensor2D, un!);
          const [pn2] = runFused(
            addStep,
            { z: bn, xw },
            { t, offset: 2 * H, scaleFrom: 0, scaleTo: H, scale: 2 },
          );
          bn.dispose();
          const sn = tf.sigmoid(pn2!);
          pn2!.dispose();
          next = hidden(ins, srz, sn, h, t, H, 0);
          S[t] = srz;
          SN[t] = sn;
          X[t] = rh!;
        } else {
          const a = tf.matMul(r, wh); // [B, 2H]
          const [pre] = runFused(
            addStep,
            { z: a, xw },
            { t, offset: 0, scaleFrom: H, scaleTo: 2 * H, scale: 2 },
          );
          a.dispose();
          const g = tf.sigmoid(pre!); // σ(z), σ(2 n)
          pre!.dispose();
          next = hidden(ins, g, g, h, t, 0, H);
          S[t] = g;
        }
        R[t] = r;
        HP[t] = h;
        Y[t] = next.y;
        h = next.h;
      }
      return { outputs: tf.stack(Y, 1) as tf.Tensor3D, finals: [h], saved: [...R, ...HP, ...S, ...SN, ...X] };
    },

    backward(ins, saved, dOut, dFinals, { reverse, truncate, projected }, probe) {
      const [B, T, F] = ins.x.shape;
      const { wx, wh } = parts(cell, ins.weights);
      const at = (k: number, t: number) => saved[k * T + t] as tf.Tensor2D;
      const norms = probe ? new Array<tf.Tensor>(T) : null;
      const whT = variant === 'before' ? null : timesTransposed(wh);
      const urzT = variant === 'before' ? timesTransposed(tf.slice(wh, [0, 0], [H, 2 * H])) : null;
      const unT = variant === 'before' ? timesTransposed(tf.slice(wh, [0, 2 * H], [H, H])) : null;
      const DX: tf.Tensor2D[] = new Array(T); // gradient w.r.t. x · Wx + b, per step
      const DA: tf.Tensor2D[] = new Array(T); // gradient w.r.t. hr · Wh (+ bh), per step (resetAfter / minimal)
      const DN: tf.Tensor2D[] = variant === 'before' ? new Array(T) : []; // resetBefore: w.r.t. pre_n
      let dhRec: tf.Tensor2D | null = null;
      let dhRec2: tf.Tensor2D | null = null;
      let dhPass = dFinals[0] ?? null;
      for (let s = T - 1; s >= 0; s--) {
        const t = timeIndex(s, T, reverse);
        const [valid, pass] = splitGradient({ dOut, dhRec, dhRec2, dhPass, ins }, t, H, norms);
        free(dhRec, dhRec2, s === T - 1 ? null : dhPass);
        dhRec2 = null;
        let passOut: tf.Tensor2D;
        let toRec: tf.Tensor2D; // what multiplies Whᵀ (resetAfter / minimal) or U_rzᵀ (resetBefore)
        if (variant === 'after') {
          const [dxw, da, po] = runFused(gruBackward, {
            dm: valid,
            pass,
            srz: at(2, t),
            sn: at(3, t),
            hn2: at(4, t),
            hPrev: at(1, t),
          }) as tf.Tensor2D[];
          DX[t] = dxw!;
          DA[t] = da!;
          toRec = da!;
          passOut = po!;
        } else if (variant === 'before') {
          const [dan, daz, po] = runFused(gruBackwardN, {
            dm: valid,
            pass,
            srz: at(2, t),
            sn: at(3, t),
            hPrev: at(1, t),
          }) as tf.Tensor2D[];
          const drh = unT!.apply(dan!);
          const [drz, dhr] = runFused(gruBackwardR, {
            drh,
            srz: at(2, t),
            hr: at(0, t),
            daz,
          }) as tf.Tensor2D[];
          free(drh, daz);
          DX[t] = drz!;
          DN[t] = dan!;
          toRec = drz!;
          dhRec2 = dhr!;
          passOut = po!;
        } else {
          const [da, po] = runFused(minGruBackward, {
            dm: valid,
            pass,
            s: at(2, t),
            hPrev: at(1, t),
          }) as tf.Tensor2D[];
          DX[t] = da!;
          toRec = da!;
          passOut = po!;
        }
        free(valid, pass);
        if (cutBefore(s, truncate)) {
          free(passOut, dhRec2);
          dhRec = null;
          dhRec2 = null;
          dhPass = null;
        } else {
          dhRec = (whT ?? urzT)!.apply(toRec);
          dhPass = passOut;
        }
      }
      reportNorms(norms, probe);
      const dh0 = initialHGrad(dhRec, dhRec2, dhPass, ins.recMask, [B, H]);
      whT?.dispose();
      urzT?.dispose();
      unT?.dispose();
      const steps = (k: number) => Array.from({ length: T }, (_, t) => at(k, t));
      const dxw = variant === 'before' ? tf.concat([stackRows(DX), stackRows(DN)], 1) : stackRows(DX); // [B·T, gates·H]
      // Folded inputs: the gradient w.r.t. x · Wx + b is dxw itself; Wx and b get theirs through the table.
      const dx = projected
        ? tf.reshape(dxw, [B, T, F])
        : tf.reshape(timesTransposed(wx).apply(dxw), [B, T, F]);
      let dWx: tf.Tensor2D;
      let db: tf.Tensor1D | null;
      let dWh: tf.Tensor;
      let dbh: tf.Tensor1D | null = null;
      if (projected) {
        dWx = tf.zerosLike(wx);
        db = hasBias ? tf.zerosLike(ins.weights[2] as tf.Tensor1D) : null;
        if (variant === 'after') {
          const gh = weightGrads(null, hasRecurrentBias, steps(0), stackRows(DA));
          dWh = gh.ds!;
          dbh = gh.db;
        } else if (variant === 'before') {
          const gRZ = weightGrads(null, false, steps(0), stackRows(DX)).ds!; // [H, 2H]
          const gN = weightGrads(null, false, steps(4), stackRows(DN)).ds!; // [H, H]
          dWh = tf.concat([gRZ, gN], 1);
        } else {
          dWh = weightGrads(null, false, steps(0), dxw).ds!;
        }
      } else if (variant === 'after') {
        ({ dx: dWx, db } = weightGrads(ins.x, hasBias, null, dxw) as {
          dx: tf.Tensor2D;
          db: tf.Tensor1D | null;
        });
        const gh = weightGrads(null, hasRecurrentBias, steps(0), stackRows(DA));
        dWh = gh.ds!;
        dbh = gh.db;
      } else if (variant === 'before') {
        ({ dx: dWx, db } = weightGrads(ins.x, hasBias, null, dxw) as {
          dx: tf.Tensor2D;
          db: tf.Tensor1D | null;
        });
        const gRZ = weightGrads(null, false, steps(0), stackRows(DX)).ds!; // [H, 2H]
        const gN = weightGrads(null, false, steps(4), stackRows(DN)).ds!; // [H, H]
        dWh = tf.concat([gRZ, gN], 1);
      } else {
        const g = weightGrads(ins.x, hasBias, steps(0), dxw); // x and h share the gradient: one matmul
        dWx = g.dx!;
        db = g.db;
        dWh = g.ds!;
      }
      const grads: tf.Tensor[] = [dx, dh0, dWx, dWh];
      if (hasBias) grads.push(db!);
      if (hasRecurrentBias) grads.push(dbh!);
      return grads;
    },
  };
}
