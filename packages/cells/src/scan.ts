import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './state.js';
import type { StepOptions, StepResult } from './types.js';

/** A cell state: named [batch, size] tensors. */
export type State = { readonly [key: string]: tf.Tensor2D };

/** One step of a cell (or of a cell wrapper such as the skip connections): x [batch, features]. */
export type Step<S extends State> = (x: tf.Tensor2D, state: S, options?: StepOptions) => StepResult<S>;

export interface ScanOptions {
  /** [batch, time]; 1 = real step, 0 = padding. A padded step carries the state through and outputs zeros. */
  readonly mask?: tf.Tensor2D | null;
  /** Run from the last step to the first. Outputs stay aligned with the inputs' time axis. */
  readonly reverse?: boolean;
  /**
   * Truncated BPTT: the state is passed through a stop-gradient before every k-th step (counted in
   * processing order), so gradients flow back at most k steps. 0 = no truncation.
   */
  readonly truncate?: number;
  /** Passed to every step (recurrent dropout). */
  readonly stepOptions?: StepOptions;
  /**
   * One [batch, size] zero tensor per step, added to h_t after the step (and after masking), so that the
   * gradient w.r.t. probe t is ∂L/∂h_t. Used by `gradientNormsThroughTime` on the autodiff path.
   */
  readonly hProbes?: readonly tf.Tensor2D[] | undefined;
}

/**
 * The one loop over time: one `step` call per time step, differentiated by tfjs autodiff.
 * This is the reference the fused path is tested against, and the path for configurations the fused
 * path does not cover (peephole and layer-norm LSTMs, and skip connections, which wrap a cell's step).
 *
 * @param xs [batch, time, features]
 * @returns outputs [batch, time, outputSize] (zeros at padded steps) and the final state.
 */
export function scan<S extends State>(
  step: Step<S>,
  xs: tf.Tensor3D,
  initial: S,
  { mask = null, reverse = false, truncate = 0, stepOptions = {}, hProbes }: ScanOptions = {},
): { outputs: tf.Tensor3D; final: S } {
  return tf.tidy(() => {
    const T = xs.shape[1];
    const steps = tf.unstack(xs, 1) as tf.Tensor2D[]; // T × [batch, features]
    const masks = mask === null ? null : (tf.unstack(tf.expandDims(mask, 2), 1) as tf.Tensor2D[]); // T × [batch, 1]
    const outputs: tf.Tensor2D[] = new Array(T);
    let state = initial;
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      if (truncate > 0 && s > 0 && s % truncate === 0) state = mapState(state, (v) => stopGradient(v));
      const next = step(steps[t]!, state, stepOptions);
      const m = masks === null ? null : masks[t]!;
      if (m === null) {
        outputs[t] = next.output;
        state = next.state;
      } else {
        const keep = tf.sub(1, m);
        const prev = state;
        state = mapState(next.state, (v, key) => tf.add(tf.mul(v, m), tf.mul(prev[key]!, keep)));
        outputs[t] = tf.mul(next.output, m);
      }
      const probe = hProbes?.[t];
      if (probe !== undefined) {
        // h_t + e_t feeds both the output and the next step, so ∂L/∂e_t = ∂L/∂h_t.
        const h = tf.add(state['h']!, probe) as tf.Tensor2D;
        state = { ...state, h };
        outputs[t] = m === null ? h : tf.mul(h, m);
      }
    }
    return { outputs: tf.stack(outputs, 1) as tf.Tensor3D, final: state };
  });
}

function mapState<S extends State>(state: S, f: (v: tf.Tensor2D, key: string) => tf.Tensor): S {
  const out: Record<string, tf.Tensor2D> = {};
  for (const [k, v] of Object.entries(state)) out[k] = f(v, k) as tf.Tensor2D;
  return out as S;
}
