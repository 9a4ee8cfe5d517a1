import { StrandError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError, MissingKernelError, UnknownBackendError } from './errors.js';
import { wasmProvider } from './providers/wasm.js';
import { registerProvider } from './registry.js';
import {
  backendFromArgs,
  listBackends,
  parseBackendPreference,
  resolvePreference,
  useBackend,
} from './use-backend.js';

describe('useBackend', () => {
  afterEach(() => {
    delete process.env['STRAND_BACKEND'];
  });

  it.each(['cpu', 'wasm'] as const)('registers, initialises and selects %s', async (name) => {
    const info = await useBackend(name);
    expect(info.name).toBe(name);
    expect(tf.getBackend()).toBe(name);
    expect(info.software).toBe(false);
    expect(info.details['tfjs-core']).toBe('4.22.0');
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
    expect(y).toBe(11);
  });

  it('reports SIMD for wasm in Node', async () => {
    const info = await useBackend('wasm');
    expect(info.details['simd']).toBe(true);
    expect(info.device).toMatch(/WebAssembly SIMD/);
  });

  it('auto picks wasm in Node when no CUDA or hardware WebGPU is present', async () => {
    const statuses = await listBackends();
    const hardwareGpu = statuses.some(
      (s) => (s.name === 'cuda' || s.name === 'webgpu') && s.available && !s.software,
    );
    const info = await useBackend('auto');
    if (!hardwareGpu) expect(info.name).toBe('wasm');
  });

  it('STRAND_BACKEND overrides auto, not an explicit choice', async () => {
    process.env['STRAND_BACKEND'] = 'cpu';
    expect(resolvePreference()).toBe('cpu');
    expect(resolvePreference('auto')).toBe('cpu');
    expect(resolvePreference('wasm')).toBe('wasm');
    expect((await useBackend()).name).toBe('cpu');
  });

  it('rejects unknown names with the list of known ones', () => {
    expect(() => parseBackendPreference('tpu')).toThrow(UnknownBackendError);
    expect(() => parseBackendPreference('tpu')).toThrow(/expected 'auto' or one of: cuda, webgpu, wasm, cpu/);
    process.env['STRAND_BACKEND'] = 'gpu';
    expect(() => resolvePreference()).toThrow(/Unknown backend 'gpu'/);
  });

  it('says why a backend is unavailable and what to install', async () => {
    const statuses = await listBackends();
    const cuda = statuses.find((s) => s.name === 'cuda')!;
    if (cuda.available) return; // a machine with tfjs-node-gpu installed
    expect(cuda.reason).toBeTruthy();
    expect(cuda.install).toMatch(/tfjs-node-gpu|@strand\/backend-node/);
    const error = await useBackend('cuda').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).install).toMatch(/install/i);
  });
});

describe('backendFromArgs', () => {
  it.each([
    [['--backend', 'wasm'], 'wasm'],
    [['x', '--backend=webgpu'], 'webgpu'],
    [['--epochs', '3'], undefined],
  ] as const)('%j -> %s', (argv, expected) => {
    expect(backendFromArgs(argv)).toBe(expected);
  });

  it('fails on a missing or unknown value', () => {
    expect(() => backendFromArgs(['--backend'])).toThrow(UnknownBackendError);
    expect(() => backendFromArgs(['--backend', 'metal'])).toThrow(/Unknown backend 'metal'/);
  });
});

describe('errors', () => {
  it('are StrandErrors with stable codes', () => {
    const cases = [
      [
        new BackendUnavailableError('cuda', 'no GPU', 'Install it.'),
        'ERR_BACKEND_UNAVAILABLE',
        'BackendUnavailableError',
      ],
      [new MissingKernelError('FFT', 'wasm', ['cpu']), 'ERR_MISSING_KERNEL', 'MissingKernelError'],
      [new UnknownBackendError('tpu', ['cpu']), 'ERR_UNKNOWN_BACKEND', 'UnknownBackendError'],
    ] as const;
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(StrandError);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
    }
  });
});

describe("auto's fallback to cpu", () => {
  afterEach(() => {
    registerProvider(wasmProvider());
    vi.restoreAllMocks();
  });

  it('is reported in the result and warned about once', async () => {
    registerProvider({
      ...wasmProvider(),
      async probe() {
        return { available: false, reason: 'the .wasm file answered 404', install: 'Serve it.' };
      },
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const statuses = await listBackends();
    const hardwareGpu = statuses.some(
      (s) => (s.name === 'cuda' || s.name === 'webgpu') && s.available && !s.software,
    );
    if (hardwareGpu) return; // auto would not reach cpu on this machine
    const first = await useBackend('auto');
    expect(first.name).toBe('cpu');
    expect(first.fallback?.skipped).toContainEqual({ name: 'wasm', reason: 'the .wasm file answered 404' });
    await useBackend('cpu');
    const second = await useBackend('auto');
    expect(second.fallback?.skipped.map((s) => s.name)).toContain('wasm');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(
      /fell back to 'cpu'.*wasm \(the \.wasm file answered 404\)/,
    );
  });

  it('is absent when a fast backend starts', async () => {
    const info = await useBackend('auto');
    expect(info.name).not.toBe('cpu');
    expect(info.fallback).toBeUndefined();
  });
});
