import * as tf from '@tensorflow/tfjs-core';
import type { SimpleRnnCell } from '../simple-rnn.js';
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
import { addStep } from './kernels-common.js';
import { rnnBackward, rnnHidden } from './kernels-simple.js';

/** The weights the fused SimpleRNN takes: [Wx, Wh, b?]. */
export function simpleRnnFusedWeights(cell: SimpleRnnCell): tf.Tensor[] {
  const w = cell.params;
  return [w.inputKernel, w.recurrentKernel, ...(w.bias ? [w.bias] : [])];
}

/** The fused SimpleRNN: per step one matmul and two or three launches (tanh as a sigmoid of 2a). */
export function fusedSimpleRnn(cell: SimpleRnnCell): FusedCell {
  const H = cell.config.units;
  const relu = cell.config.activation === 'relu';
  const leak = cell.config.leak;
  const hasBias = cell.params.bias !== null;
  const attrs = { relu: relu ? 1 : 0, leak };
  return {
    forward(ins, settings) {
      const { reverse } = settings;
      const T = ins.x.shape[1];
      const [wx, wh] = ins.weights as [tf.Tensor2D, tf.Tensor2D];
      const b = hasBias ? (ins.weights[2] as tf.Tensor1D) : null;
      const xw = stepInputs(ins.x, wx, b, settings); // [B, T, H], one matmul for all steps
      const scale: Record<string, number> = relu ? {} : { scaleFrom: 0, scaleTo: H, scale: 2 }; // tanh a = 2σ(2a) - 1
      const R: tf.Tensor[] = new Array(T);
      const Fs: tf.Tensor[] = new Array(T);
      const Y: tf.Tensor2D[] = new Array(T);
      let h = ins.states[0]!;
      for (let s = 0; s < T; s++) {
        const t = timeIndex(s, T, reverse);
        const r = ins.recMask ? (tf.mul(h, ins.recMask) as tf.Tensor2D) : h;
        const a = tf.matMul(r, wh);
        const [pre] = runFused(addStep, { z: a, xw }, { t, offset: 0, ...scale });
        a.dispose();
        let f = pre!;
        if (!relu) {
          f = tf.sigmoid(pre!);
          pre!.dispose();
        }
        const out = runFused(rnnHidden, { f, hPrev: h, mask: ins.mask }, { t, ...attrs }) as tf.Tensor2D[];
        R[t] = r;
        Fs[t] = f;
        Y[t] = out[1] ?? out[0]!;
        h = out[0]!;
      }
      return { outputs: tf.stack(Y, 1) as tf.Tensor3D, finals: [h], saved: [...R, ...Fs] };
    },

    backward(ins, saved, dOut, dFinals, { reverse, truncate, projected }, probe) {
      const [B, T, F] = ins.x.shape;
      const [wx, wh] = ins.weights as [tf.Tensor2D, tf.Tensor2D];
      const whT = timesTransposed(wh);
      const norms = probe ? new Array<tf.Tensor>(T) : null;
      const DA: tf.Tensor2D[] = new Array(T);
      let dhRec: tf.Tensor2D | null = null;
      let dhPass = dFinals[0] ?? null;
      for (let s = T - 1; s >= 0; s--) {
        const t = timeIndex(s, T, reverse);
        const [valid, pass] = splitGradient({ dOut, dhRec, dhPass, ins }, t, H, norms);
        free(dhRec, s === T - 1 ? null : dhPass);
        const [da, passOut] = runFused(
          rnnBackward,
          { dm: valid, pass, f: saved[T + t] },
          attrs,
        ) as tf.Tensor2D[];
        free(valid, pass);
        DA[t] = da!;
        if (cutBefore(s, truncate)) {
          free(passOut);
          dhRec = null;
          dhPass = null;
        } else {
          dhRec = whT.apply(da!);
          dhPass = passOut!;
        }
      }
      reportNorms(norms, probe);
      const dh0 = initialHGrad(dhRec, null, dhPass, ins.recMask, [B, H]);
      whT.dispose();
      const da = stackRows(DA);
      const g = weightGrads(
        projected ? null : ins.x,
        hasBias && !projected,
        Array.from({ length: T }, (_, t) => saved[t] as tf.Tensor2D),
        da,
      );
      if (projected) {
        // Folded inputs: the gradient w.r.t. x · Wx + b is da itself; Wx and b get theirs through the table.
        const dx = tf.reshape(da, [B, T, F]);
        const dWx = tf.zerosLike(wx);
        return hasBias ? [dx, dh0, dWx, g.ds!, tf.zerosLike(ins.weights[2]!)] : [dx, dh0, dWx, g.ds!];
      }
      const dx = tf.reshape(timesTransposed(wx).apply(da), [B, T, F]);
      return hasBias ? [dx, dh0, g.dx!, g.ds!, g.db!] : [dx, dh0, g.dx!, g.ds!];
    },
  };
}
