import { isNode } from '@strand/backend';

/** The part of `GPU` (navigator.gpu) this package uses. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<unknown | null>;
}

export interface DawnOptions {
  /**
   * Dawn's `create()` flags, e.g. `['backend=vulkan']` or `['adapter=NVIDIA']`; see the `webgpu` package.
   * Default: none (Dawn picks the adapter).
   */
  readonly dawnFlags?: readonly string[];
}

let nodeGpu: GpuLike | null = null;

/**
 * The WebGPU entry point: `navigator.gpu` in a browser; in Node, Dawn from the `webgpu` package
 * (an optional peer). In Node this installs Dawn's globals (GPUBufferUsage, ...) and `navigator.gpu`,
 * which tfjs-backend-webgpu reads at import time.
 */
export async function getGpu(options: DawnOptions = {}): Promise<GpuLike> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode()) throw new Error('navigator.gpu is missing: this browser has no WebGPU (or it is disabled)');
  if (nodeGpu) return nodeGpu;
  let dawn: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    // Resolved from this package (where `webgpu` is an optional peer); hidden from bundlers.
    const specifier = 'webgpu';
    dawn = await import(/* @vite-ignore */ specifier);
  } catch (error) {
    throw new Error(`the 'webgpu' package (Dawn for Node) is not installed (${(error as Error).message})`);
  }
  Object.assign(globalThis, dawn.globals);
  nodeGpu = dawn.create([...(options.dawnFlags ?? [])]);
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  }
  Object.defineProperty(g.navigator, 'gpu', { value: nodeGpu, configurable: true });
  return nodeGpu;
}
