import * as tf from '@tensorflow/tfjs-core';
import { unsortedSegmentSumOnHeap } from './unsorted-segment-sum.js';
import { registerFastTransposedMatMul } from './wasm-batch-matmul.js';

/**
 * Kernels that training on the wasm backend needs and tfjs-backend-wasm 4.22 does not ship.
 * Found by running the conformance suite's gradients on wasm: `gather`'s gradient needs UnsortedSegmentSum.
 * Also a faster BatchMatMul for transposed operands (see wasm-batch-matmul.ts).
 */
export function registerWasmTrainingKernels(): void {
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  if (!have.has(tf.UnsortedSegmentSum)) {
    tf.registerKernel({
      kernelName: tf.UnsortedSegmentSum,
      backendName: 'wasm',
      kernelFunc: unsortedSegmentSumOnHeap,
    });
  }
  registerFastTransposedMatMul();
}
