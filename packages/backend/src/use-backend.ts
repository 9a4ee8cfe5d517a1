import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, UnknownBackendError } from './errors.js';
import { registerMissingKernelErrors } from './kernels/missing-kernels.js';
import { knownProviders, providerPackages } from './registry.js';
import { envVar, isNode } from './runtime.js';
import type {
  BackendInfo,
  BackendName,
  BackendPreference,
  BackendProvider,
  BackendStatus,
  SkippedBackend,
} from './types.js';

export const BACKEND_NAMES: readonly BackendName[] = ['cuda', 'webgpu', 'wasm', 'cpu', 'native-cpu'];

/** The order `auto` tries. Software adapters are skipped; `native-cpu` is only used when asked for by name. */
function autoOrder(): BackendName[] {
  return isNode() ? ['cuda', 'webgpu', 'wasm', 'cpu'] : ['webgpu', 'wasm', 'cpu'];
}

function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

/** Parses a preference from a flag or environment variable; throws UnknownBackendError on a typo. */
export function parseBackendPreference(value: string): BackendPreference {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || isBackendName(v)) return v;
  throw new UnknownBackendError(value, BACKEND_NAMES);
}

/** `--backend NAME` or `--backend=NAME` in an argument list, if present. */
export function backendFromArgs(argv: readonly string[]): BackendPreference | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--backend') {
      const next = argv[i + 1];
      if (next === undefined) throw new UnknownBackendError('', BACKEND_NAMES);
      return parseBackendPreference(next);
    }
    if (arg.startsWith('--backend=')) return parseBackendPreference(arg.slice('--backend='.length));
  }
  return undefined;
}

/** The preference in force: the explicit one, else STRAND_BACKEND, else 'auto'. */
export function resolvePreference(explicit?: BackendPreference): BackendPreference {
  if (explicit !== undefined && explicit !== 'auto') return explicit;
  const env = envVar('STRAND_BACKEND');
  return env ? parseBackendPreference(env) : 'auto';
}

function unavailable(name: BackendName): BackendStatus {
  const pkg = providerPackages[name];
  return {
    name,
    available: false,
    reason: `no provider for '${name}' is loaded`,
    install: pkg
      ? `Install ${pkg} (and its peers), then import it or call registerProvider(...) from it.`
      : 'This build of @strand/backend lacks it.',
  };
}

/** Which backends can run here and, for each one that cannot, why and what to install. Never throws. */
export async function listBackends(): Promise<BackendStatus[]> {
  const providers = await knownProviders();
  const out: BackendStatus[] = [];
  for (const name of BACKEND_NAMES) {
    const provider = providers.get(name);
    if (!provider) {
      out.push(unavailable(name));
      continue;
    }
    const a = await provider
      .probe()
      .catch((e: Error) => ({ available: false as const, reason: e.message, install: '' }));
    out.push(
      a.available
        ? { name, available: true, software: a.software, device: a.device }
        : { name, available: false, reason: a.reason, install: a.install },
    );
  }
  return out;
}

let current: BackendInfo | null = null;

async function activate(provider: BackendProvider): Promise<BackendInfo> {
  if (current?.name === provider.name && tf.getBackend() === provider.tfjsName) return current;
  await provider.register();
  const ok = await tf.setBackend(provider.tfjsName);
  if (!ok) {
    throw new BackendUnavailableError(
      provider.name,
      `tfjs could not initialise '${provider.tfjsName}'`,
      'See the warnings above.',
    );
  }
  await tf.ready();
  registerMissingKernelErrors(provider.tfjsName);
  const described = await provider.describe();
  current = { name: provider.name, tfjsName: provider.tfjsName, ...described };
  return current;
}

/**
 * Registers, initialises and selects a tfjs backend, and returns what was chosen.
 *
 * `auto` (the default, overridden by STRAND_BACKEND) tries in Node: CUDA, WebGPU on a hardware adapter,
 * WASM, CPU; in a browser: WebGPU, WASM, CPU. A software adapter is used only when asked for by name.
 *
 * @example
 * const info = await useBackend();      // e.g. { name: 'wasm', device: '... (WebAssembly SIMD, 1 thread)' }
 * await useBackend('cpu');              // the pure-JS reference backend
 */
export async function useBackend(preference?: BackendPreference): Promise<BackendInfo> {
  const wanted = resolvePreference(preference);
  const providers = await knownProviders();
  if (wanted !== 'auto') {
    const provider = providers.get(wanted);
    if (!provider) {
      const u = unavailable(wanted);
      throw new BackendUnavailableError(wanted, u.reason!, u.install!);
    }
    const a = await provider.probe();
    if (!a.available) throw new BackendUnavailableError(wanted, a.reason, a.install);
    return activate(provider);
  }
  const skipped: SkippedBackend[] = [];
  for (const name of autoOrder()) {
    const provider = providers.get(name);
    if (!provider) {
      skipped.push({ name, reason: unavailable(name).reason! });
      continue;
    }
    const a = await provider
      .probe()
      .catch((e: Error) => ({ available: false as const, reason: e.message, install: '' }));
    if (!a.available) {
      skipped.push({ name, reason: a.reason });
      continue;
    }
    if (a.software) {
      skipped.push({ name, reason: `software adapter (${a.device}); ask for it by name to use it` });
      continue;
    }
    try {
      const info = await activate(provider);
      return name === 'cpu' && skipped.length > 0 ? fellBackToCpu(info, skipped) : info;
    } catch (error) {
      skipped.push({ name, reason: (error as Error).message });
    }
  }
  throw new BackendUnavailableError(
    'auto',
    `no backend could start; ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
    'Install @strand/backend.',
  );
}

let warnedFallback = false;

/** `auto` landed on the JavaScript cpu backend: say so in the result, and once per process on the console. */
function fellBackToCpu(info: BackendInfo, skipped: SkippedBackend[]): BackendInfo {
  const reported: BackendInfo = { ...info, fallback: { skipped } };
  current = reported;
  if (!warnedFallback) {
    warnedFallback = true;
    console.warn(
      `@strand/backend: useBackend('auto') fell back to 'cpu', the slow JavaScript backend. Skipped: ${skipped
        .map((s) => `${s.name} (${s.reason})`)
        .join('; ')}.`,
    );
  }
  return reported;
}

/** The backend selected by the last `useBackend`, or null. */
export function currentBackend(): BackendInfo | null {
  return current;
}
