import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanStale, writeFileAtomic } from './atomic-write.js';

let dir: string;
let childScript: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strand-atomic-'));
  // The child is plain node: give it this very writer, transpiled to JavaScript.
  const source = await readFile(new URL('./atomic-write.ts', import.meta.url), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  await writeFile(join(dir, 'atomic-write.mjs'), js);
  childScript = join(dir, 'child.mjs');
  await writeFile(
    childScript,
    `import { writeFileAtomic } from './atomic-write.mjs';
const [path, mb, fill] = process.argv.slice(2);
const chunk = Buffer.alloc(1 << 20, fill);
async function* chunks() { for (let i = 0; i < Number(mb); i++) yield chunk; }
await writeFileAtomic(path, chunks());
`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const temps = async (d: string) => (await readdir(d)).filter((n) => n.endsWith('.strand-tmp'));

function exited(child: ChildProcess): Promise<number | string | null> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
}

/** Every byte of `bytes` equals `fill`, and there are `mb` MiB of them. */
function isComplete(bytes: Buffer, mb: number, fill: string): boolean {
  if (bytes.length !== mb << 20) return false;
  const want = fill.charCodeAt(0);
  for (let i = 0; i < bytes.length; i += 4093) if (bytes[i] !== want) return false;
  return bytes[bytes.length - 1] === want;
}

describe('writeFileAtomic', () => {
  it('a writer killed with SIGKILL mid-write (12 times) leaves the old or the new complete file, and the next write cleans up', async () => {
    const sub = await mkdtemp(join(dir, 'kill-'));
    const target = join(sub, 'weights.bin');
    const MB = 48;
    await writeFileAtomic(target, Buffer.alloc(MB << 20, 'A'));
    let current = 'A';
    let killedMidWrite = 0;
    for (let k = 0; k < 12; k++) {
      const fill = String.fromCharCode(66 + k); // 'B', 'C', ...
      const child = spawn(process.execPath, [childScript, target, String(MB), fill], { stdio: 'ignore' });
      const done = exited(child);
      // Wait until the temp file has grown past a varying point, then kill.
      const threshold = ((k % 4) + 1) * (MB << 18);
      let finished = false;
      void done.then(() => {
        finished = true;
      });
      for (;;) {
        if (finished) break;
        const t = (await temps(sub)).find((n) => n.includes(`.${child.pid}.`));
        if (t !== undefined) {
          const size = await stat(join(sub, t)).then(
            (s) => s.size,
            () => 0,
          );
          if (size >= threshold) break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      child.kill('SIGKILL');
      const how = await done;
      const bytes = await readFile(target);
      if (isComplete(bytes, MB, fill)) current = fill;
      else expect(isComplete(bytes, MB, current), `after kill ${k}: neither old nor new content`).toBe(true);
      if (how === 'SIGKILL' && current !== fill) killedMidWrite++;
      // Each writer removes its dead predecessors' temp files: at most the last one is left, hidden.
      const left = await temps(sub);
      expect(left.length).toBeLessThanOrEqual(1);
      for (const n of left) expect(n.startsWith('.weights.bin.')).toBe(true);
    }
    expect(killedMidWrite).toBeGreaterThanOrEqual(6);
    await writeFileAtomic(target, 'done');
    expect(await temps(sub)).toEqual([]);
    expect(await readFile(target, 'utf8')).toBe('done');
    expect((await readdir(sub)).sort()).toEqual(['weights.bin']);
  }, 120_000);

  it('writes bytes, text and (async) chunk streams; concurrent writes of one path take turns', async () => {
    const p = join(dir, 'x.txt');
    await writeFileAtomic(p, 'héllo');
    expect(await readFile(p, 'utf8')).toBe('héllo');
    await writeFileAtomic(p, Uint8Array.of(1, 2, 3));
    expect([...(await readFile(p))]).toEqual([1, 2, 3]);
    await writeFileAtomic(p, ['a', Uint8Array.of(0x62)]);
    expect(await readFile(p, 'utf8')).toBe('ab');
    await Promise.all(Array.from({ length: 8 }, (_, i) => writeFileAtomic(p, `${i}`.repeat(10_000))));
    expect(await readFile(p, 'utf8')).toBe('7'.repeat(10_000));
    expect(await temps(dir)).toEqual([]);
  });

  it('a failing chunk source leaves the old file and no temp file', async () => {
    const p = join(dir, 'y.txt');
    await writeFileAtomic(p, 'old');
    async function* failing() {
      yield 'new';
      throw new Error('disk on fire');
    }
    await expect(writeFileAtomic(p, failing())).rejects.toThrow('disk on fire');
    expect(await readFile(p, 'utf8')).toBe('old');
    expect(await temps(dir)).toEqual([]);
  });
});

describe('cleanStale', () => {
  it("removes dead writers' temp files, keeps live ones and unrelated files, and filters by target", async () => {
    const sub = await mkdtemp(join(dir, 'stale-'));
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await exited(child);
    const livePid = process.ppid; // the test runner's parent is alive
    const names = [
      `.a.bin.${deadPid}.strand-tmp`,
      `.b.bin.${deadPid}.strand-tmp`,
      `.a.bin.${livePid}.strand-tmp`,
      `.a.bin.notapid.strand-tmp`,
      'a.bin',
      `a.bin.${deadPid}.strand-tmp`, // not hidden: not ours
    ];
    for (const n of names) await writeFile(join(sub, n), 'x');
    expect(await cleanStale(sub, 'a.bin')).toEqual([`.a.bin.${deadPid}.strand-tmp`]);
    expect(await cleanStale(sub)).toEqual([`.b.bin.${deadPid}.strand-tmp`]);
    expect((await readdir(sub)).sort()).toEqual(
      [
        `.a.bin.${livePid}.strand-tmp`,
        '.a.bin.notapid.strand-tmp',
        'a.bin',
        `a.bin.${deadPid}.strand-tmp`,
      ].sort(),
    );
    expect(await cleanStale(join(sub, 'missing'))).toEqual([]);
  });
});
