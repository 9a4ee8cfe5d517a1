import { trainableParameters } from '@strand/core';
import { testBackends, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CELL_CASES, expectNear, seqInput, weightedSum } from '../test/helpers.js';
import type { Cell } from './cell.js';
import { setWeightGradLayout, type WeightGradLayout } from './fused/driver.js';
import { setFusedKernelMode } from './fused/kernel.js';
import { rnn } from './rnn.js';

function grads(cell: Cell, layout: WeightGradLayout) {
  setWeightGradLayout(layout);
  const x = seqInput(3, 5, cell.inputSize, 2);
  const vars = trainableParameters(cell.params as never);
  const { value, grads } = tf.variableGrads(
    () => weightedSum(rnn(cell as never, x, { lengths: [5, 2, 4], gradient: 'fused' }).outputs),
    vars,
  );
  x.dispose();
  return [value, ...vars.map((v) => grads[v.name]!)];
}

describe.each(testBackends())('weight-gradient layouts on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });
  afterEach(() => {
    setWeightGradLayout('aT');
    setFusedKernelMode('auto');
  });

  describe.each(CELL_CASES)('%s', (_, make) => {
    test.each(['auto', 'ops'] as const)(
      "dzᵀ · [x, 1, h] gives [xᵀ; 1; hᵀ] · dz's gradients (%s kernels)",
      async (mode) => {
        setFusedKernelMode(mode);
        const cell = make(6);
        const a = grads(cell, 'aT');
        const b = grads(cell, 'dzT');
        expect(b.length).toBe(a.length);
        for (const [i, g] of b.entries()) await expectNear(g, a[i]!, 1e-5);
        tf.dispose([...a, ...b]);
      },
    );
  });
});
