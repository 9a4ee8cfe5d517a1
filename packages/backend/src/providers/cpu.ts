import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_core } from '@tensorflow/tfjs-core';
import { describeCpu } from '../runtime.js';
import type { BackendProvider } from '../types.js';

/** tfjs' pure-JavaScript backend: slow, but complete and always available. The reference for conformance. */
export const cpuProvider: BackendProvider = {
  name: 'cpu',
  tfjsName: 'cpu',
  async probe() {
    return { available: true, software: false, device: 'JavaScript (tfjs-backend-cpu)' };
  },
  async register() {
    // Importing @tensorflow/tfjs-backend-cpu (a static dependency of this module) registers it.
  },
  async describe() {
    const cpu = await describeCpu();
    return {
      device: `${cpu.model} (JavaScript)`,
      software: false,
      details: { cores: cpu.cores, 'tfjs-core': version_core, 'tfjs-backend-cpu': version_cpu },
    };
  },
};
