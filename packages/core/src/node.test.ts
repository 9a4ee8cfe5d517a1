import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@strand/backend';
import { expectClose } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsError, WeightsError } from './errors.js';
import { initLinear } from './linear.js';
import { loadParametersFile, loadSafetensorsFile, saveSafetensorsFile, writeFileAtomic } from './node.js';
import { disposeParameters } from './params.js';

let dir: string;
beforeAll(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'strand-core-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes bytes, text and streams of chunks', async () => {
    const path = join(dir, 'a.txt');
    await writeFileAtomic(path, 'héllo');
    expect(await readFile(path, 'utf8')).toBe('héllo');
    await writeFileAtomic(path, Uint8Array.of(104, 105));
    expect(await readFile(path, 'utf8')).toBe('hi');
    async function* lines() {
      yield 'one\n';
      yield new TextEncoder().encode('two\n');
    }
    await writeFileAtomic(path, lines());
    expect(await readFile(path, 'utf8')).toBe('one\ntwo\n');
  });

  it('leaves the old file intact and no temporary file when the write fails midway', async () => {
    const path = join(dir, 'keep.txt');
    await writeFile(path, 'old contents');
    function* failing() {
      yield 'new contents, part 1\n';
      throw new Error('disk on fire');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('disk on fire');
    expect(await readFile(path, 'utf8')).toBe('old contents');
    expect((await readdir(dir)).filter((f) => f.includes('keep.txt'))).toEqual(['keep.txt']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'nope', 'x.txt'), 'x')).rejects.toThrow(/ENOENT/);
  });
});

describe('safetensors files', () => {
  it('saves a tree and loads it back into another', async () => {
    const path = join(dir, 'model.safetensors');
    const a = { head: initLinear({ inputSize: 2, outputSize: 3, seed: 1 }) };
    const b = { head: initLinear({ inputSize: 2, outputSize: 3, seed: 2 }) };
    await saveSafetensorsFile(path, a, { step: '7' });
    const before = tf.memory().numTensors;
    const report = await loadParametersFile(b, path);
    expect(tf.memory().numTensors).toBe(before); // the read tensors are disposed
    expect(report).toEqual({ missing: [], unexpected: [], metadata: { step: '7' } });
    expectClose(b.head.kernel, a.head.kernel, 0);
    expectClose(b.head.bias!, a.head.bias!, 0);
    disposeParameters([a, b]);
  });

  it('saves named tensors (a Map or a record of plain tensors)', async () => {
    const path = join(dir, 'named.safetensors');
    const x = tf.tensor1d([1, 2]);
    await saveSafetensorsFile(path, { x });
    const { tensors } = await loadSafetensorsFile(path);
    expectClose(tensors.get('x')!, [1, 2], 0);
    await saveSafetensorsFile(path, new Map([['y', x]]));
    const again = await loadSafetensorsFile(path);
    expect([...again.tensors.keys()]).toEqual(['y']);
    tf.dispose([x, ...tensors.values(), ...again.tensors.values()]);
  });

  it('keeps the previous file and leaves no temporary file when a save fails (a disposed tensor)', async () => {
    const path = join(dir, 'keep.safetensors');
    const a = tf.tensor1d([1, 2, 3]);
    await saveSafetensorsFile(path, { a });
    const old = await readFile(path);
    const big = tf.zeros([1000]);
    const gone = tf.zeros([2]);
    const saving = saveSafetensorsFile(
      path,
      new Map([
        ['big', big],
        ['gone', gone],
      ]),
    );
    gone.dispose(); // the temporary file is open by now; the header then refuses the tensor
    await expect(saving).rejects.toThrow(/'gone'/);
    expect(await readFile(path)).toEqual(old);
    expect((await readdir(dir)).filter((f) => f.includes('keep.safetensors'))).toEqual(['keep.safetensors']);
    tf.dispose([a, big]);
  });

  it('names the file in format errors and weight mismatches', async () => {
    const bad = join(dir, 'bad.safetensors');
    const good = await readFile(join(dir, 'model.safetensors'));
    await writeFile(bad, good.subarray(0, good.length - 3));
    await expect(loadSafetensorsFile(bad)).rejects.toThrow(SafetensorsError);
    await expect(loadSafetensorsFile(bad)).rejects.toThrow(`Invalid safetensors file ${bad}`);
    const other = { head: initLinear({ inputSize: 5, outputSize: 3, seed: 1 }) };
    const err = await loadParametersFile(other, join(dir, 'model.safetensors')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsError);
    expect((err as WeightsError).message).toContain('model.safetensors');
    expect((err as WeightsError).wrongShape).toEqual([
      { name: 'head.kernel', expected: [5, 3], received: [2, 3] },
    ]);
    disposeParameters(other);
    await expect(loadSafetensorsFile(join(dir, 'missing.safetensors'))).rejects.toThrow(
      /ENOENT.*missing\.safetensors/,
    );
  });
});

function pythonWith(module: string): string | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(python, ['-c', `import ${module}`], { stdio: 'ignore' });
      return python;
    } catch {
      // try the next one
    }
  }
  return null;
}

const python = pythonWith('safetensors.numpy');
describe.skipIf(python === null)(
  'interop with the Python safetensors library (skipped: `import safetensors` fails)',
  () => {
    it('reads what Python writes and Python reads what we write', async () => {
      const fromPython = join(dir, 'py.safetensors');
      const fromUs = join(dir, 'us.safetensors');
      execFileSync(python!, [
        '-c',
        `import numpy as np; from safetensors.numpy import save_file
save_file({"w": np.arange(6, dtype=np.float32).reshape(2, 3) / 4, "h": np.array([1.5, -2], dtype=np.float16),
           "i": np.array([-5, 2**31 - 1], dtype=np.int64)}, "${fromPython}", metadata={"by": "python"})`,
      ]);
      const { tensors, metadata } = await loadSafetensorsFile(fromPython);
      expect(metadata).toEqual({ by: 'python' });
      expectClose(tensors.get('w')!, [0, 0.25, 0.5, 0.75, 1, 1.25], 0);
      expectClose(tensors.get('h')!, [1.5, -2], 0);
      expect(Array.from(tensors.get('i')!.dataSync())).toEqual([-5, 2 ** 31 - 1]);
      await saveSafetensorsFile(
        fromUs,
        { w: tensors.get('w')!, i: tf.tensor1d([3, -4], 'int32') },
        { by: 'strand' },
      );
      const out = execFileSync(python!, [
        '-c',
        `from safetensors import safe_open
with safe_open("${fromUs}", "numpy") as f: print(f.metadata()["by"], f.get_tensor("w").tolist(), f.get_tensor("i").tolist())`,
      ]).toString();
      expect(out.trim()).toBe('strand [[0.0, 0.25, 0.5], [0.75, 1.0, 1.25]] [3, -4]');
      tf.dispose([...tensors.values()]);
    });
  },
);
