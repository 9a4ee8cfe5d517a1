import { execFileSync, spawnSync } from 'node:child_process';
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

describe('wasm threads in plain Node', () => {
  // A matmul big enough for XNNPACK to split across threads, and a gradient through it; printed as a
  // hash of the exact float32 bits, so any difference between thread counts shows.
  const script = `
    import * as tf from '@tensorflow/tfjs-core'; import { useBackend } from '@strand/backend';
    const info = await useBackend('wasm');
    const a = tf.randomNormal([200, 300], 0, 1, 'float32', 1);
    const b = tf.randomNormal([300, 400], 0, 1, 'float32', 2);
    const g = tf.grad((x) => tf.sum(tf.tanh(tf.matMul(x, b))))(a);
    const bits = new Uint32Array(new Float32Array([...tf.matMul(a, b).dataSync(), ...g.dataSync()]).buffer);
    let h = 2166136261;
    for (const v of bits) h = Math.imul(h ^ v, 16777619) >>> 0;
    console.log(JSON.stringify({ threads: info.details.threads, device: info.device, hash: h }));`;
  const run = (threads: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: packageDir,
        encoding: 'utf8',
        timeout: 60_000, // also catches a pool that keeps the process alive after the script ends
        env: { ...process.env, STRAND_WASM_THREADS: threads },
      })
        .trim()
        .split('\n')
        .at(-1)!,
    ) as { threads: number; device: string; hash: number };

  it('starts the multi-threaded build with the asked-for threads, exits, and gives the same bits as one thread', () => {
    const one = run('1');
    const two = run('2');
    const three = run('3');
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(three.threads).toBe(3);
    expect(two.device).toMatch(/WebAssembly SIMD, 2 threads/);
    expect(two.hash).toBe(one.hash);
    expect(three.hash).toBe(one.hash);
  });
});

describe('errors in user code once wasm has started', () => {
  // Emscripten's glue installs process handlers that rethrow from its minified source: Node then printed
  // ~55 KB of it and exited with code 7. The user's own error and Node's usual exit code must come out.
  const cases = [
    ['a throw', `function userCode() { throw new Error('boom from user code'); } setTimeout(userCode, 0);`],
    ['a rejection', `async function userCode() { throw new Error('boom from user code'); } userCode();`],
  ] as const;
  it.each(['1', '2'].flatMap((threads) => cases.map(([what, code]) => [threads, what, code] as const)))(
    '%s thread(s), %s: prints the stack and exits with code 1',
    (threads, _what, code) => {
      const r = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { useBackend } from '@strand/backend'; await useBackend('wasm'); ${code}`,
        ],
        {
          cwd: packageDir,
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, STRAND_WASM_THREADS: threads },
        },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/Error: boom from user code\n\s+at .*userCode/);
      expect(r.stderr).not.toMatch(/GROWABLE_HEAP|wasm-out/);
      expect(r.stderr.length).toBeLessThan(2000);
    },
  );
});

describe('lazy providers', () => {
  it('importing the package does not load tfjs-backend-wasm; useBackend("wasm") does', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import * as tf from '@tensorflow/tfjs-core'; import { useBackend } from '@strand/backend';
       const before = tf.findBackendFactory('wasm') !== null;
       await useBackend('wasm');
       console.log(JSON.stringify({ before, after: tf.findBackendFactory('wasm') !== null, backend: tf.getBackend() }));`,
    ]);
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      before: false,
      after: true,
      backend: 'wasm',
    });
  });
});
