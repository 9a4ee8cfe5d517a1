/** What Strand reports about a WebGPU adapter. */
export interface AdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** SwiftShader, llvmpipe/lavapipe, WARP or an adapter marked as a fallback: emulation on the CPU. */
  readonly software: boolean;
}

interface AdapterLike {
  readonly info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & {
    readonly isFallbackAdapter?: boolean;
  };
  readonly isFallbackAdapter?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|warp/i;

export function describeAdapter(adapter: AdapterLike): AdapterReport {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const fallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter);
  const software = fallback || SOFTWARE.test([vendor, architecture, device, description].join(' '));
  return { vendor, architecture, device, description, software };
}

/** One line for people: 'nvidia hopper (NVIDIA H100 80GB HBM3)' or 'google swiftshader (software)'. */
export function adapterLabel(a: AdapterReport): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const detail = a.description || a.device;
  return `${name}${detail ? ` (${detail})` : ''}${a.software ? ' [software]' : ''}`;
}
