/** Strand's names for the engines it can run on. `native-cpu` is libtensorflow on the CPU (tfjs-node). */
export type BackendName = 'cuda' | 'webgpu' | 'wasm' | 'cpu' | 'native-cpu';

export type BackendPreference = BackendName | 'auto';

/** What `useBackend` returns once the engine is registered, initialised and selected. */
export interface BackendInfo {
  readonly name: BackendName;
  /** The name tfjs-core knows the backend by: 'cpu', 'wasm', 'webgpu', 'tensorflow'. */
  readonly tfjsName: string;
  /** The device in words, e.g. 'NVIDIA H100 (vulkan)', 'WebAssembly SIMD, 2 threads'. */
  readonly device: string;
  /** True for software emulation of an accelerator (SwiftShader, llvmpipe). */
  readonly software: boolean;
  /** Package versions and backend-specific facts (adapter vendor, SIMD, threads...). */
  readonly details: Readonly<Record<string, string | number | boolean>>;
  /**
   * Set only when `auto` settled on `cpu` (the slow JavaScript reference) because the faster backends
   * could not start; `useBackend` also warns once on the console. Each skipped backend with the reason.
   */
  readonly fallback?: { readonly skipped: readonly SkippedBackend[] };
}

/** A backend that `auto` passed over, and why. */
export interface SkippedBackend {
  readonly name: BackendName;
  readonly reason: string;
}

export type Availability =
  | { readonly available: true; readonly software: boolean; readonly device: string }
  | { readonly available: false; readonly reason: string; readonly install: string };

export interface BackendStatus {
  readonly name: BackendName;
  readonly available: boolean;
  /** Why it cannot run here (only when unavailable). */
  readonly reason?: string;
  /** What to install or do to make it available (only when unavailable). */
  readonly install?: string;
  readonly software?: boolean;
  readonly device?: string;
}

/**
 * One way of running tfjs-core. Providers never select themselves on import:
 * `useBackend` registers and selects the one asked for.
 */
export interface BackendProvider {
  readonly name: BackendName;
  readonly tfjsName: string;
  /** Cheap check that never throws. */
  probe(): Promise<Availability>;
  /** Loads the implementation and registers it with the shared tfjs-core engine. Does not select it. */
  register(): Promise<void>;
  /** Facts about the initialised backend; called after it is selected. */
  describe(): Promise<Omit<BackendInfo, 'name' | 'tfjsName'>>;
}
