// An application as a user writes it: installed from the packed tarballs, built by `vite build` with no
// configuration file, no copied .wasm files and no wasmPaths. It trains a linear layer for one SGD step
// on wasm and on WebGPU, and reports what `auto` picked. Results land on window.__strand.
import { registerProvider, useBackend } from '@strand/backend';
import { webgpuProvider } from '@strand/backend-webgpu';
import { initLinear, linear, trainableParameters } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';

interface Step {
  backend: string;
  device: string;
  lossBefore: number;
  lossAfter: number;
  tensorsLeaked: number;
}

/** One SGD step on y = 2 x0 - x1 + 0.5 x2: the loss must go down. */
async function trainOneStep(name: 'wasm' | 'webgpu'): Promise<Step> {
  const info = await useBackend(name);
  const startTensors = tf.memory().numTensors;
  const p = initLinear({ inputSize: 3, outputSize: 1, seed: 7 });
  const xs = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 1, 1],
    [2, -1, 0.5],
    [-1, 0.5, 2],
  ];
  const x = tf.tensor2d(xs);
  const y = tf.tensor2d(xs.map(([a, b, c]) => [2 * a! - b! + 0.5 * c!]));
  const loss = () => tf.mean(tf.square(tf.sub(linear(p, x), y))) as tf.Scalar;
  const value = async (): Promise<number> => {
    const t = tf.tidy(loss);
    const v = (await t.data())[0]!;
    t.dispose();
    return v;
  };
  const lossBefore = await value();
  const optimizer = tf.train.sgd(0.1);
  optimizer.minimize(loss, true, trainableParameters(p))?.dispose();
  const lossAfter = await value();
  optimizer.dispose();
  tf.dispose([x, y, p.kernel, ...(p.bias ? [p.bias] : [])]);
  return {
    backend: info.name,
    device: info.device,
    lossBefore,
    lossAfter,
    tensorsLeaked: tf.memory().numTensors - startTensors,
  };
}

async function main(): Promise<Record<string, unknown>> {
  registerProvider(webgpuProvider());
  const auto = await useBackend('auto');
  return {
    auto: { name: auto.name, fallback: auto.fallback ?? null },
    wasm: await trainOneStep('wasm').catch((e: Error) => ({ error: String(e.stack ?? e) })),
    webgpu: await trainOneStep('webgpu').catch((e: Error) => ({ error: String(e.stack ?? e) })),
  };
}

main()
  .then((r) => {
    (window as { __strand?: unknown }).__strand = r;
    document.getElementById('out')!.textContent = JSON.stringify(r, null, 2);
  })
  .catch((e: Error) => {
    (window as { __strand?: unknown }).__strand = { fatal: String(e.stack ?? e) };
  });
