import { ConfigError } from '@strand/base';
import { afterEach, describe, expect, it } from 'vitest';
import { describeCpu } from '../runtime.js';
import { wantedThreads } from './wasm.js';

describe('wasm thread count', () => {
  afterEach(() => {
    delete process.env['STRAND_WASM_THREADS'];
  });

  it('defaults to every logical core, at most 8', async () => {
    const { cores } = await describeCpu();
    expect(await wantedThreads()).toBe(Math.min(cores, 8));
  });

  it('takes the option over STRAND_WASM_THREADS, and caps at the pool size', async () => {
    process.env['STRAND_WASM_THREADS'] = '3';
    expect(await wantedThreads()).toBe(3);
    expect(await wantedThreads(1)).toBe(1);
    expect(await wantedThreads(64)).toBe(8);
  });

  it('rejects counts that are not whole numbers from 1, naming where they came from', async () => {
    await expect(wantedThreads(0)).rejects.toThrow(
      /wasmProvider\(\{ threads \}\) must be a whole number from 1 to 8, got 0/,
    );
    await expect(wantedThreads(1.5)).rejects.toThrow(ConfigError);
    process.env['STRAND_WASM_THREADS'] = 'four';
    await expect(wantedThreads()).rejects.toThrow(/STRAND_WASM_THREADS must be .* got four/);
  });
});

describe('bundled wasm URLs', () => {
  it('are left to tfjs (undefined) when no bundler rewrote them', async () => {
    const { bundledWasmPaths } = await import('./wasm-urls.js');
    expect(bundledWasmPaths()).toBeUndefined();
  });
});
