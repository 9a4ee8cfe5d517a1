import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// vitest resolves TypeScript sources and handles tfjs' extensionless imports; a user's plain `node`
// does neither. These tests load the BUILT package in a real Node process (run `pnpm build` first).
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(packageDir, 'dist', 'index.js');

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });
}

const training = `
  for (const name of ['wasm', 'cpu']) {
    const info = await useBackend(name);
    const w = tf.variable(tf.tensor2d([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]));
    const ids = tf.tensor1d([0, 2, 2], 'int32');
    const { grads } = tf.variableGrads(() => tf.sum(tf.tanh(tf.gather(w, ids))), [w]);
    console.log(info.name, Array.from(grads[w.name].dataSync(), (v) => v.toFixed(5)).join(','));
  }`;

describe('the built package in plain Node', () => {
  it('is built (turbo runs `build` before `test`)', () => {
    expect(existsSync(built), `${built} is missing: run pnpm build`).toBe(true);
  });

  it('ESM: useBackend and gradients (gather on wasm included)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import * as tf from '@tensorflow/tfjs-core'; import { useBackend } from '@strand/backend';
       ${training}`,
    ]);
    const lines = out
      .trim()
      .split('\n')
      .filter((l) => /^(wasm|cpu) /.test(l));
    // d/dw sum(tanh(w[ids])): row 0 once, row 2 twice, row 1 never.
    const expected = [0.1, 0.2, 0, 0, 0.5, 0.6].map((v, i) =>
      ((i >= 4 ? 2 : 1) * (1 - Math.tanh(v) ** 2) * (v === 0 ? 0 : 1)).toFixed(5),
    );
    expect(lines).toEqual([`wasm ${expected.join(',')}`, `cpu ${expected.join(',')}`]);
  });

  it('CommonJS: require() of the package registers gradients too', () => {
    const out = node([
      '-e',
      `const tf = require('@tensorflow/tfjs-core'); const { useBackend } = require('@strand/backend');
       useBackend('wasm').then(() => console.log(Array.from(tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3])).dataSync()).join(',')));`,
    ]);
    expect(out.trim().split('\n').at(-1)).toBe('2,4,6');
  });
});
