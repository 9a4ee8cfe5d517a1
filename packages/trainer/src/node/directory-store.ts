/**
 * Checkpoints as files: `ckpt-<step>.safetensors` then `ckpt-<step>.json`, each written atomically
 * (base's writeFileAtomic). The JSON is written last and names the tensor file's length and
 * checksum, so it is the commit marker: a process killed mid-save leaves at most a stray tensor
 * file or a hidden temp file, never a listed checkpoint that does not load.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '@strand/base';
import { cleanStale, writeFileAtomic } from '@strand/base/node';
import type { CheckpointStore } from '../checkpoint/store.js';

const NAME = /^ckpt-(\d{9})\.(json|safetensors)$/;

function base(step: number): string {
  return `ckpt-${String(step).padStart(9, '0')}`;
}

/** A CheckpointStore over the directory `dir` (created on the first write). */
export function directoryStore(dir: string): CheckpointStore & { readonly dir: string } {
  const files = async (): Promise<string[]> => {
    try {
      return await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  };
  return {
    dir,
    async list() {
      const names = new Set(await files());
      const steps: number[] = [];
      for (const n of names) {
        const m = NAME.exec(n);
        if (m && m[2] === 'json' && names.has(`${base(Number(m[1]))}.safetensors`)) steps.push(Number(m[1]));
      }
      return steps.sort((a, b) => a - b);
    },
    async write(step, json, bytes) {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dir, { recursive: true });
      await cleanStale(dir);
      await writeFileAtomic(join(dir, `${base(step)}.safetensors`), bytes);
      await writeFileAtomic(join(dir, `${base(step)}.json`), json);
    },
    async read(step) {
      const source = join(dir, `${base(step)}.json`);
      try {
        const json = await readFile(source, 'utf8');
        const bytes = new Uint8Array(await readFile(join(dir, `${base(step)}.safetensors`)));
        return { json, bytes, source };
      } catch (e) {
        throw new InputError(
          {
            what: `checkpoint ${source}`,
            expected: 'a readable JSON and tensor file',
            received: (e as Error).message,
          },
          { cause: e },
        );
      }
    },
    async remove(step) {
      // JSON first: once it is gone the step is no longer listed, whatever happens next.
      await rm(join(dir, `${base(step)}.json`), { force: true });
      await rm(join(dir, `${base(step)}.safetensors`), { force: true });
    },
  };
}
