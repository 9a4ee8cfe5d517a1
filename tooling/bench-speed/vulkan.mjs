// Finding a Vulkan driver for Dawn (the `webgpu` package) the way the tests do, without hiding a real GPU.
//
// The Vulkan loader (libvulkan.so.1) reads driver manifests (ICDs) from the standard directories, so a
// vendor's driver (NVIDIA's nvidia_icd.json, Mesa's radeon/intel ones) is found without help. Only when
// there is no hardware ICD do we point VK_ICD_FILENAMES at Debian chromium's SwiftShader (a CPU
// emulation), as tooling/vitest/index.js does for the tests. An explicit VK_ICD_FILENAMES / VK_DRIVER_FILES
// is always left alone.
import { existsSync, readdirSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const SOFTWARE_ICD = /swiftshader|lvp|lavapipe|llvmpipe/i;
const LIBVULKAN = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
];

/** Driver manifests in the loader's standard directories. */
export function systemIcds() {
  const out = new Set();
  for (const dir of ICD_DIRS) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.json')) out.add(`${dir}/${f}`);
  }
  return [...out];
}

/**
 * Sets VK_ICD_FILENAMES to SwiftShader when nothing else would give Dawn an adapter; call before the
 * first WebGPU use. Returns what it found, for the benchmark's header.
 */
export function prepareVulkan(env = process.env) {
  const loader = LIBVULKAN.find((p) => existsSync(p)) ?? null;
  const explicit = env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
  const icds = systemIcds();
  const hardware = icds.filter((p) => !SOFTWARE_ICD.test(p));
  if (explicit) return { loader, icds: explicit.split(':'), hardware, source: 'VK_ICD_FILENAMES (given)' };
  if (hardware.length > 0) return { loader, icds, hardware, source: 'system ICDs (the loader finds them)' };
  if (existsSync(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    return {
      loader,
      icds: [SWIFTSHADER_ICD],
      hardware,
      source: 'SwiftShader (no hardware ICD; like the tests)',
    };
  }
  return { loader, icds, hardware, source: 'none found' };
}

/** Whether this machine shows any sign of a GPU: an NVIDIA/DRM device node or a hardware Vulkan ICD. */
export function gpuPresent() {
  const nodes = ['/dev/nvidia0', '/dev/nvidiactl', '/dev/kfd'];
  if (nodes.some((p) => existsSync(p))) return true;
  if (existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'))) return true;
  return systemIcds().some((p) => !SOFTWARE_ICD.test(p));
}
