import { type Initializer, initializers } from '@strand/core';
import type { InitScheme } from './types.js';

/** Initializers a cell uses for whatever the caller does not override. */
export interface CellInits {
  readonly kernel: Initializer;
  readonly recurrent: Initializer;
  readonly bias: Initializer;
}

/**
 * The two common defaults. 'keras': Glorot-uniform input kernel, orthogonal recurrent kernel, zero bias
 * (Keras and tfjs-layers). 'pytorch': every weight U(-1/√units, 1/√units) (torch.nn.RNN/LSTM/GRU).
 */
export function schemeInits(scheme: InitScheme, units: number): CellInits {
  if (scheme === 'pytorch') {
    const k = 1 / Math.sqrt(units);
    const u = initializers.uniform({ min: -k, max: k });
    return { kernel: u, recurrent: u, bias: u };
  }
  return {
    kernel: initializers.glorotUniform(),
    recurrent: initializers.orthogonal(),
    bias: initializers.zeros(),
  };
}
