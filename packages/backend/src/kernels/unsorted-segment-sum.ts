import * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs' wasm backend that a JavaScript kernel needs: typed views on its heap. */
interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * UnsortedSegmentSum for backends that lack it (wasm): out[s, ...] = sum of x[i, ...] over i with ids[i] = s.
 * The gradient of `gather` (every embedding lookup) runs this kernel.
 * x: [n, ...inner] (ids' shape may be the leading dims of x), segmentIds: ids.shape, attrs.numSegments.
 */
export function unsortedSegmentSumOnHeap({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const heap = backend as HeapBackend;
  const x = inputs['x']!;
  const segmentIds = inputs['segmentIds']!;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const idsSize = tf.util.sizeFromShape(segmentIds.shape);
  const inner = tf.util.sizeFromShape(x.shape) / Math.max(idsSize, 1);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = heap.makeOutput(outShape, x.dtype);
  const xs = heap.typedArrayFromHeap(x);
  const ids = heap.typedArrayFromHeap(segmentIds);
  const acc = heap.typedArrayFromHeap(out);
  acc.fill(0);
  for (let i = 0; i < idsSize; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue; // TensorFlow drops out-of-range ids.
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) acc[dst + j]! += xs[src + j]!;
  }
  return out;
}
