import type { Bidirectional } from './bidirectional.js';
import type { Cell } from './cell.js';
import type { GruCell } from './gru.js';
import type { LstmCell } from './lstm.js';
import type { SimpleRnnCell } from './simple-rnn.js';
import type { SkipRnn, SkipState } from './skip.js';
import type { Stacked } from './stacked.js';
import type { HState, LstmState } from './types.js';

/** Anything `rnn` can run over a sequence: a cell or a composition of cells. */
export type Recurrent = Cell | Bidirectional | Stacked | SkipRnn;

/**
 * The state a layer carries between calls (what `returnState` gives and `initialState` takes).
 * (The depth counter stops TypeScript from unfolding the recursive default types forever.)
 */
export type StateOf<L, D extends readonly unknown[] = []> = D['length'] extends 5
  ? unknown
  : L extends LstmCell
    ? LstmState
    : L extends SimpleRnnCell | GruCell
      ? HState
      : L extends Bidirectional<infer F, infer B>
        ? { readonly forward: StateOf<F, [...D, 0]>; readonly backward: StateOf<B, [...D, 0]> }
        : L extends Stacked<infer Ls>
          ? { readonly [K in keyof Ls]: StateOf<Ls[K], [...D, 0]> }
          : L extends SkipRnn<infer C>
            ? SkipState<StateOf<C, [...D, 0]>>
            : never;
