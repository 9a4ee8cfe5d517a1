import { describe, expect, it } from 'vitest';
import { adapterLabel, describeAdapter } from './adapter.js';

describe('describeAdapter', () => {
  it.each([
    [{ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }, true],
    [{ vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, true],
    [{ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' }, false],
    [{ vendor: 'intel', architecture: 'gen-12lp', isFallbackAdapter: true }, true],
  ])('%j is software: %s', (info, software) => {
    expect(describeAdapter({ info }).software).toBe(software);
  });

  it('labels an adapter for people', () => {
    const a = describeAdapter({
      info: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100' },
    });
    expect(adapterLabel(a)).toBe('nvidia hopper (NVIDIA H100)');
    expect(adapterLabel(describeAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } }))).toBe(
      'google swiftshader [software]',
    );
  });
});
