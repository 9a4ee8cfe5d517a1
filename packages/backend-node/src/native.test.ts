import { BackendUnavailableError, registerProvider, useBackend } from '@strand/backend';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cudaProvider, nativeCpuProvider } from './native.js';

const installed = await nativeCpuProvider().probe();
const gpuInstalled = await cudaProvider().probe();
if (!gpuInstalled.available) console.warn(`[skip] real CUDA tests: ${gpuInstalled.reason}`);
if (!installed.available) console.warn(`[skip] real native-cpu tests: ${installed.reason}`);

/** Stands in for @tensorflow/tfjs-node: registers a 'tensorflow' backend, as the real package does on import. */
function fakeTfjsNode(usingGpu: boolean) {
  return async () => {
    tf.registerBackend('tensorflow', () => {
      const backend = new MathBackendCPU() as MathBackendCPU & Record<string, unknown>;
      backend['isGPUPackage'] = usingGpu;
      backend['isUsingGpuDevice'] = usingGpu;
      backend['binding'] = { TF_Version: '2.9.1' };
      return backend;
    });
  };
}

describe('backend-node providers', () => {
  it('say why they are unavailable and what CUDA/cuDNN they need', async () => {
    const probe = await cudaProvider({ isInstalled: async () => false }).probe();
    expect(probe.available).toBe(false);
    if (!probe.available) {
      expect(probe.reason).toBe('@tensorflow/tfjs-node-gpu is not installed');
      expect(probe.install).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    }
    registerProvider(cudaProvider({ isInstalled: async () => false }));
    await expect(useBackend('cuda')).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it('load the package only when asked, then select the backend and describe it', async () => {
    let loads = 0;
    const load = fakeTfjsNode(false);
    const provider = nativeCpuProvider({
      isInstalled: async () => true,
      load: () => {
        loads++;
        return load();
      },
    });
    registerProvider(provider);
    expect((await provider.probe()).available).toBe(true);
    expect(loads).toBe(0);
    const info = await useBackend('native-cpu');
    expect(loads).toBe(1);
    expect(info).toMatchObject({ name: 'native-cpu', tfjsName: 'tensorflow', software: false });
    expect(info.details['tensorflow']).toBe('2.9.1');
    expect(tf.getBackend()).toBe('tensorflow');
    tf.removeBackend('tensorflow');
  });

  it('refuse CUDA when TensorFlow finds no GPU', async () => {
    registerProvider(cudaProvider({ isInstalled: async () => true, load: fakeTfjsNode(false) }));
    await expect(useBackend('cuda')).rejects.toThrow(/found no usable GPU/);
    tf.removeBackend('tensorflow');
    await useBackend('cpu');
  });

  it('report a package that is installed but fails to load', async () => {
    const provider = cudaProvider({
      isInstalled: async () => true,
      load: async () => {
        throw new Error('libtensorflow.so.2: cannot open shared object file');
      },
    });
    await expect(provider.register()).rejects.toThrow(/installed but failed to load \(libtensorflow\.so\.2/);
  });

  it.runIf(gpuInstalled.available)('runs a matMul on CUDA (real @tensorflow/tfjs-node-gpu)', async () => {
    registerProvider(cudaProvider());
    const info = await useBackend('cuda');
    expect(info.details['usingGpu']).toBe(true);
    expect(tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()).toEqual(new Float32Array([3, 3, 3, 3]));
  });
});
