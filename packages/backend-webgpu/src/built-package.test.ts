import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { webgpuProvider } from './provider.js';

// useBackend('webgpu') from the BUILT packages in a real `node` process (no vitest transforms).
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = process.env['STRAND_TEST_WEBGPU'] === '1';
const availability = await webgpuProvider().probe();

describe.runIf(availability.available || required)('the built package in plain Node', () => {
  it('selects WebGPU, reports the adapter and computes a gradient', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import { registerProvider, useBackend } from '@strand/backend';
      import { webgpuProvider } from '@strand/backend-webgpu';
      registerProvider(webgpuProvider());
      const info = await useBackend('webgpu');
      const g = tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3]));
      console.log(JSON.stringify({ name: info.name, software: info.software, vendor: info.details.vendor, grad: Array.from(await g.data()) }));
      process.exit(0);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: packageDir,
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(result.name).toBe('webgpu');
    expect(typeof result.vendor).toBe('string');
    expect(result.grad).toEqual([2, 4, 6]);
  });
});
