import {
  formatConformance,
  listBackends,
  registerProvider,
  runConformance,
  useBackend,
} from '@strand/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { webgpuProvider } from './provider.js';

// WebGPU in Node runs on Dawn (the `webgpu` package). Without a GPU it needs a software Vulkan driver:
// CI installs Debian's chromium (SwiftShader) and libvulkan1 and sets STRAND_TEST_WEBGPU=1, which turns
// "no adapter" from a skip into a failure.
const required = process.env['STRAND_TEST_WEBGPU'] === '1';
const provider = webgpuProvider();
registerProvider(provider);
const availability = await provider.probe();
const reason = availability.available ? '' : `${availability.reason}. ${availability.install}`;
if (!availability.available && !required) console.warn(`[skip] WebGPU in Node: ${reason}`);

describe.runIf(availability.available || required)('WebGPU in Node (Dawn)', () => {
  beforeAll(async () => {
    expect(availability.available, reason).toBe(true);
    await useBackend('cpu');
  });

  it('is listed, with its adapter, and selected only by name when it is software', async () => {
    const status = (await listBackends()).find((s) => s.name === 'webgpu')!;
    expect(status.available).toBe(true);
    expect(status.device).toBeTruthy();
    const auto = await useBackend('auto');
    if (status.software) expect(auto.name).not.toBe('webgpu');
  });

  it('useBackend("webgpu") reports the adapter', async () => {
    const info = await useBackend('webgpu');
    expect(info.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(typeof info.details['vendor']).toBe('string');
    console.info(`WebGPU adapter: ${info.device}`);
  });

  it('passes the conformance suite against cpu (ops and gradients, no leaks)', async () => {
    await useBackend('webgpu');
    const results = await runConformance('webgpu');
    console.info(formatConformance(results));
    const failed = results.filter((r) => !r.ok);
    expect(failed, formatConformance(failed)).toEqual([]);
  });
});
