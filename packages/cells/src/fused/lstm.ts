import * as tf from '@tensorflow/tfjs-core';
import type { LstmCell } from '../lstm.js';
import {
  cutBefore,
  type FusedCell,
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
import { addStep, selectStep } from './kernels-common.js';
import { lstmBackward, lstmCell, lstmHidden } from './kernels-lstm.js';

/** Why the fused path cannot run this LSTM, or null when it can. */
export function lstmFusedUnsupported(cell: LstmCell): string | null {
  if (cell.config.peephole) return 'peephole connections';
  if (cell.config.layerNorm) return 'layer normalisation';
  return null;
}

/** The weights the fused LSTM takes, in its order: [Wx, Wh, b?, P?]. */
export function lstmFusedWeights(cell: LstmCell): tf.Tensor[] {
  const w = cell.params;
  return [
    w.inputKernel,
    w.recurrentKernel,
    ...(w.bias ? [w.bias] : []),
    ...(w.projection ? [w.projection] : []),
  ];
}

/**
 * The fused LSTM. Per step: one matmul (h · Wh) and five launches (add the precomputed x · Wx, one sigmoid
 * over all four gates, c, σ(2c), h). Backward per step: one matmul and two launches; the weight gradients
 * are single matmuls over all steps after the loop.
 */
export function fusedLstm(cell: LstmCell): FusedCell {
  const H = cell.config.units;
  const P = cell.outputSize;
  const hasBias = cell.params.bias !== null;
  const projected = cell.params.projection !== null;
  const split = (weights: readonly tf.Tensor[]) => {
    const [wx, wh] = weights as [tf.Tensor2D, tf.Tensor2D];
    const b = hasBias ? (weights[2] as tf.Tensor1D) : null;
    const wp = projected ? (weights[hasBias ? 3 : 2] as tf.Tensor2D) : null;
    return { wx, wh, b, wp };
  };
  return {
    forward(ins, settings) {
      const { reverse } = settings;
      const [B, T] = ins.x.shape;
      const { wx, wh, b, wp } = split(ins.weights);
      const xw = stepInputs(ins.x, wx, b, settings); // [B, T, 4H], one matmul for all steps
      const mask = ins.mask;
      const R: tf.Tensor2D[] = new Array(T);
      const S: tf.Tensor[] = new Array(T);
      const SC: tf.Tensor[] = new Array(T);
      const CP: tf.Tensor2D[] = new Array(T);
      const M: tf.Tensor[] = projected ? new Array(T) : [];
      const Y: tf.Tensor2D[] = new Array(T);
      let h = ins.states[0]!;
      let c = ins.states[1]!;
      for (let s = 0; s < T; s++) {
        const t = timeIndex(s, T, reverse);
        const r = ins.recMask ? (tf.mul(h, ins.recMask) as tf.Tensor2D) : h;
        const z = tf.matMul(r, wh); // [B, 4H]
        // g block doubled: g = tanh(z_g) = 2σ(2 z_g) - 1
        const [pre] = runFused(
          addStep,
          { z, xw },
          { t, offset: 0, scaleFrom: 2 * H, scaleTo: 3 * H, scale: 2 },
        );
        z.dispose();
        const gates = tf.sigmoid(pre!); // i, f, σ(2 z_g), o
        pre!.dispose();
        const [cNext, twoC] = runFused(lstmCell, { s: gates, cPrev: c, mask }, { t });
        const sc = tf.sigmoid(twoC!);
        twoC!.dispose();
        let hNext: tf.Tensor2D;
        let y: tf.Tensor2D;
        if (!projected) {
          const out = runFused(
            lstmHidden,
            { s: gates, sc, hPrev: mask ? h : null, mask },
            { t },
          ) as tf.Tensor2D[];
          hNext = out[0]!;
          y = out[1] ?? hNext;
        } else {
          const [m] = runFused(lstmHidden, { s: gates, sc }, { t }) as tf.Tensor2D[];
          M[t] = m!;
          const hp: tf.Tensor2D = tf.matMul(m!, wp!); // [B, P]
          if (mask) {
            [hNext, y] = runFused(selectStep, { hNew: hp, hPrev: h, mask }, { t }) as [
              tf.Tensor2D,
              tf.Tensor2D,
            ];
            hp.dispose();
          } else {
            hNext = y = hp;
          }
        }
        R[t] = r;
        S[t] = gates;
        SC[t] = sc;
        CP[t] = c;
        Y[t] = y;
        h = hNext;
        c = cNext as tf.Tensor2D;
      }
      const outputs = tf.stack(Y, 1) as tf.Tensor3D; // [B, T, P]
      void B;
      return { outputs, finals: [h, c], saved: [...R, ...S, ...SC, ...CP, ...M] };
    },

    backward(ins, saved, dOut, dFinals, { reverse, truncate, projected: folded }, probe) {
      const [B, T, F] = ins.x.shape;
      const { wx, wh, wp } = split(ins.weights);
      const at = (k: number, t: number) => saved[k * T + t]!;
      const R = (t: number) => at(0, t) as tf.Tensor2D;
      const whT = timesTransposed(wh);
      const wpT = wp ? timesTransposed(wp) : null;
      const DZ: tf.Tensor2D[] = new Array(T);
      const DH: tf.Tensor2D[] = projected ? new Array(T) : [];
      const norms = probe ? new Array<tf.Tensor>(T) : null;
      let dhRec: tf.Tensor2D | null = null;
      let dhPass = dFinals[0] ?? null;
      let dc = dFinals[1] ?? null;
      for (let s = T - 1; s >= 0; s--) {
        const t = timeIndex(s, T, reverse);
        const [valid, pass] = splitGradient({ dOut, dhRec, dhPass, ins }, t, P, norms);
        const dm: tf.Tensor2D = wpT ? wpT.apply(valid) : valid; // [B, H]
        const [dz, dcPrev] = runFused(
          lstmBackward,
          { dm, dc, s: at(1, t), sc: at(2, t), cPrev: at(3, t), mask: ins.mask },
          { t },
        );
        DZ[t] = dz as tf.Tensor2D;
        if (projected) {
          DH[t] = valid;
          dm.dispose();
        } else {
          valid.dispose();
        }
        free(dhRec, s === T - 1 ? null : dhPass, s === T - 1 ? null : dc);
        if (cutBefore(s, truncate)) {
          free(pass, dcPrev);
          dhRec = null;
          dhPass = null;
          dc = null;
        } else {
          dhRec = whT.apply(dz as tf.Tensor2D); // [B, P]
          dhPass = pass;
          dc = dcPrev as tf.Tensor2D;
        }
      }
      reportNorms(norms, probe);
      const dh0 = initialHGrad(dhRec, null, dhPass, ins.recMask, [B, P]);
      const dc0 = dc ?? tf.zeros([B, H]);
      whT.dispose();
      wpT?.dispose();
      const dz = stackRows(DZ); // [B·T, 4H]
      const g = weightGrads(
        folded ? null : ins.x,
        hasBias && !folded,
        Array.from({ length: T }, (_, t) => R(t)),
        dz,
      );
      // Folded inputs: the gradient w.r.t. x · Wx + b is dz itself; Wx and b get theirs through the table.
      const dx = folded ? tf.reshape(dz, [B, T, F]) : tf.reshape(timesTransposed(wx).apply(dz), [B, T, F]);
      const grads: tf.Tensor[] = [dx, dh0, dc0, folded ? tf.zerosLike(wx) : g.dx!, g.ds!];
      if (hasBias) grads.push(folded ? tf.zerosLike(ins.weights[2]!) : g.db!);
      if (projected) {
        const ms = Array.from({ length: T }, (_, t) => at(4, t) as tf.Tensor2D); // m_t = o ⊙ tanh c_t
        grads.push(weightGrads(null, false, ms, stackRows(DH)).ds!);
      }
      return grads;
    },
  };
}
