import { type BackendInfo, registerProvider, useBackend } from '@strand/backend';

/**
 * Selects a backend for a test file: `beforeAll(() => useTestBackend(name))`.
 * For 'webgpu' it registers @strand/backend-webgpu's provider first and allows a software adapter
 * (SwiftShader in CI): correctness, not speed.
 */
export async function useTestBackend(name: 'cpu' | 'wasm' | 'webgpu'): Promise<BackendInfo> {
  if (name === 'webgpu') {
    const { webgpuProvider } = await import('@strand/backend-webgpu');
    registerProvider(webgpuProvider());
  }
  return useBackend(name);
}
