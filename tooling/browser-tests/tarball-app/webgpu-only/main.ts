// A WebGPU-only application: it never selects wasm, so it must never fetch the wasm backend's code or
// binaries (they are split into a lazily loaded chunk). Results land on window.__strand.
import { registerProvider, useBackend } from '@strand/backend';
import { webgpuProvider } from '@strand/backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';

async function main(): Promise<Record<string, unknown>> {
  registerProvider(webgpuProvider());
  const info = await useBackend('webgpu');
  const g = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2, 3]));
  return { backend: info.name, grad: Array.from(await g.data()) };
}

main()
  .then((r) => {
    (window as { __strand?: unknown }).__strand = r;
  })
  .catch((e: Error) => {
    (window as { __strand?: unknown }).__strand = { fatal: String(e.stack ?? e) };
  });
