import { StrandError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import type { Cell } from './cell.js';
import { type RnnOptions, runContext } from './rnn.js';
import { fusedUnsupported, runCell } from './run-cell.js';

export interface GradientNorms {
  /** The loss value. */
  readonly loss: number;
  /** norms[t] = ‖∂L/∂h_t‖ (Frobenius norm over the batch), for t = 0..T-1 in input time order. */
  readonly norms: number[];
}

/**
 * How large the gradient reaching each step's hidden state is: ‖∂L/∂h_t‖ for every t. Plotted against t
 * it shows vanishing (norms shrinking towards early steps) and exploding (growing) gradients, the
 * difficulty of learning long-range dependencies (Bengio, Simard & Frasconi 1994; Pascanu et al. 2013).
 * On the fused path the backward loop records the norms as it goes; elsewhere zero probes added to each
 * h_t make autodiff report the same quantity.
 *
 * @param loss maps the outputs [batch, time, outputSize] to a scalar.
 * @example
 * const { norms } = await gradientNormsThroughTime(cell, x, (y) => tf.mean(tf.square(tf.slice(y, [0, T - 1, 0], [-1, 1, -1]))));
 */
export async function gradientNormsThroughTime(
  cell: Cell,
  inputs: tf.Tensor3D,
  loss: (outputs: tf.Tensor3D) => tf.Scalar,
  options: Omit<RnnOptions, 'returnSequences' | 'returnState'> = {},
): Promise<GradientNorms> {
  const fused = options.gradient !== 'autodiff' && fusedUnsupported(cell) === null;
  const [B, T] = inputs.shape;
  let probed: tf.Tensor1D | null = null;
  const value = tf.tidy(() => {
    if (fused) {
      const f = (x: tf.Tensor) => {
        const ctx = runContext(cell, x as tf.Tensor3D, options, false);
        return loss(
          runCell(cell, x as tf.Tensor3D, options.initialState as never, ctx, { probe: (n) => (probed = n) })
            .outputs,
        );
      };
      return tf.valueAndGrad(f)(inputs).value;
    }
    // Zero probes e_t added to each h_t: ∂L/∂e_t = ∂L/∂h_t.
    const probes = Array.from({ length: T }, () => tf.zeros([B, cell.outputSize]) as tf.Tensor2D);
    const f = (...ps: tf.Tensor[]) => {
      const ctx = runContext(cell, inputs, options, false);
      return loss(
        runCell(cell, inputs, options.initialState as never, ctx, { hProbes: ps as tf.Tensor2D[] }).outputs,
      );
    };
    const { value: v, grads } = tf.valueAndGrads(f)(probes);
    probed = tf.keep(tf.stack(grads.map((g) => tf.norm(g))) as tf.Tensor1D);
    return v;
  });
  const norms = probed as tf.Tensor1D | null;
  if (norms === null) {
    value.dispose();
    throw new StrandError('ERR_INTERNAL', 'gradientNormsThroughTime: the backward pass did not run');
  }
  // Asynchronous reads: WebGPU in Node cannot read tensors synchronously.
  const [lossValue, normValues] = await Promise.all([value.data(), norms.data()]);
  tf.dispose([value, norms]);
  return { loss: lossValue[0]!, norms: Array.from(normValues) };
}
