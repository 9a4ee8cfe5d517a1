/**
 * Resume across processes, including a process SIGKILLed in the middle of a checkpoint save: the
 * directory must still load the previous good checkpoint, and the resumed run must produce the
 * same losses, bit for bit, as a run that was never interrupted.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryStore } from './directory-store.js';

const packageDir = join(import.meta.dirname, '..', '..');
const bundle = join(packageDir, 'node_modules', '.strand-test', 'resume-child.mjs');
let work: string;

/** Bundles test/resume-child.ts from source with esbuild (the one vite uses), so plain node runs it. */
async function buildChild(): Promise<void> {
  const req = createRequire(
    createRequire(createRequire(import.meta.url).resolve('vitest/package.json')).resolve('vite/package.json'),
  );
  // esbuild is vite's dependency, not ours: typed loosely here.
  const esbuild = (await import(req.resolve('esbuild'))) as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  await esbuild.build({
    entryPoints: [join(packageDir, 'test', 'resume-child.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@strand/source'],
    // One tfjs-core for everything (resolved from this package), or two engines would exist.
    external: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
      '@strand/backend-webgpu',
      'webgpu',
    ],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
  });
}

interface Run {
  readonly losses: Map<number, number>;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function runChild(
  dir: string,
  steps: number,
  env: Record<string, string> = {},
  killAfterStep?: number,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, dir, String(steps)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const losses = new Map<number, number>();
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const { step, loss } = JSON.parse(line) as { step: number; loss: number };
        losses.set(step, loss);
        if (killAfterStep !== undefined && step >= killAfterStep) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ losses, code, signal });
    });
  });
}

describe('resume in a new process', () => {
  beforeAll(async () => {
    await buildChild();
    work = await mkdtemp(join(tmpdir(), 'strand-resume-'));
  }, 60_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('a process killed with SIGKILL in the middle of a save resumes bit-identically', async () => {
    const reference = await runChild(join(work, 'ref'), 14);
    expect(reference.losses.size).toBe(14);

    const dir = join(work, 'killed');
    const killed = await runChild(dir, 14, { KILL_AT: '6' });
    expect(killed.signal).toBe('SIGKILL');
    // The torn save left its tensor file and a half-written temp JSON; neither counts as a checkpoint.
    const names = await readdir(dir);
    expect(names).toContain('ckpt-000000006.safetensors');
    expect(names.some((n) => n.startsWith('.ckpt-000000006.json.') && n.endsWith('.strand-tmp'))).toBe(true);
    expect(await directoryStore(dir).list()).toEqual([4, 5]);

    const resumed = await runChild(dir, 14);
    expect([...resumed.losses.keys()]).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
    for (const [step, loss] of resumed.losses) expect(loss).toBe(reference.losses.get(step));
    // The stale temp file of the dead writer is gone after the next save.
    expect((await readdir(dir)).some((n) => n.endsWith('.strand-tmp'))).toBe(false);
  }, 120_000);

  it('a process killed from outside at an arbitrary moment resumes bit-identically', async () => {
    const reference = await runChild(join(work, 'ref2'), 20);
    const dir = join(work, 'external');
    const killed = await runChild(dir, 20, {}, 8);
    expect(killed.signal).toBe('SIGKILL');
    const saved = await directoryStore(dir).list();
    expect(saved.length).toBeGreaterThan(0);
    const resumed = await runChild(dir, 20);
    const first = Math.min(...resumed.losses.keys());
    expect(first).toBe(saved.at(-1)! + 1);
    for (const [step, loss] of resumed.losses) expect(loss).toBe(reference.losses.get(step));
    expect(Math.max(...resumed.losses.keys())).toBe(20);
  }, 120_000);
});
