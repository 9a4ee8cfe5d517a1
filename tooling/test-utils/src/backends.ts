/**
 * The backends a package's tests run on: cpu and wasm always; webgpu when STRAND_TEST_WEBGPU=1
 * (CI sets it after installing the software Vulkan driver). Override with STRAND_TEST_BACKENDS=cpu,wasm.
 */
export function testBackends(): ('cpu' | 'wasm' | 'webgpu')[] {
  const explicit = process.env['STRAND_TEST_BACKENDS'];
  if (explicit) return explicit.split(',').map((s) => s.trim()) as ('cpu' | 'wasm' | 'webgpu')[];
  return process.env['STRAND_TEST_WEBGPU'] === '1' ? ['cpu', 'wasm', 'webgpu'] : ['cpu', 'wasm'];
}
