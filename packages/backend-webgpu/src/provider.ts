import type { BackendProvider } from '@strand/backend';
import * as tf from '@tensorflow/tfjs-core';
import { type AdapterReport, adapterLabel, describeAdapter } from './adapter.js';
import { type DawnOptions, getGpu } from './gpu.js';

export type WebGpuOptions = DawnOptions;

const INSTALL_NODE =
  "In Node: install the 'webgpu' package (Dawn) and a Vulkan driver (libvulkan1 plus the GPU's ICD; " +
  'for software rendering, Debian chromium ships SwiftShader: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json).';
const INSTALL_BROWSER = 'Use a browser with WebGPU enabled (Chrome/Edge 113+, or --enable-unsafe-webgpu).';

/**
 * tfjs' WebGPU backend. In browsers it uses `navigator.gpu`; in Node it runs on Dawn (the `webgpu`
 * package). `probe` reports the adapter and whether it is software; `auto` skips software adapters.
 */
export function webgpuProvider(options: WebGpuOptions = {}): BackendProvider {
  let adapter: AdapterReport | null = null;

  async function findAdapter(): Promise<AdapterReport> {
    if (adapter) return adapter;
    const gpu = await getGpu(options);
    const found = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!found)
      throw new Error('navigator.gpu.requestAdapter() returned no adapter (no usable GPU or driver)');
    adapter = describeAdapter(found as Parameters<typeof describeAdapter>[0]);
    return adapter;
  }

  return {
    name: 'webgpu',
    tfjsName: 'webgpu',
    async probe() {
      try {
        const a = await findAdapter();
        return { available: true, software: a.software, device: adapterLabel(a) };
      } catch (error) {
        const inNode = typeof (globalThis as { process?: unknown }).process !== 'undefined';
        return {
          available: false,
          reason: (error as Error).message,
          install: inNode ? INSTALL_NODE : INSTALL_BROWSER,
        };
      }
    },
    async register() {
      await findAdapter();
      // Imported only now: tfjs-backend-webgpu registers its backend at import time if navigator.gpu exists.
      await import('@tensorflow/tfjs-backend-webgpu');
      if (!tf.findBackendFactory('webgpu')) {
        throw new Error('tfjs-backend-webgpu did not register: navigator.gpu was not visible to it');
      }
    },
    async describe() {
      const a = await findAdapter();
      return {
        device: adapterLabel(a),
        software: a.software,
        details: {
          vendor: a.vendor,
          architecture: a.architecture,
          adapterDevice: a.device,
          description: a.description,
          'tfjs-core': tf.version_core,
          'tfjs-backend-webgpu': tf.version_core, // released in lockstep with tfjs-core (no version export)
        },
      };
    },
  };
}
