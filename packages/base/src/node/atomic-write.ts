import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export type Chunk = Uint8Array | string;

const SUFFIX = '.strand-tmp';

/** `.name.<pid>.strand-tmp`: hidden, and findable by the next write (or `cleanStale`) if left behind. */
function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}${SUFFIX}`);
}

/** Parses a temp name back into its target's base name and the writer's pid. */
function parseTempName(name: string): { target: string; pid: number } | undefined {
  if (!name.startsWith('.') || !name.endsWith(SUFFIX)) return undefined;
  const inner = name.slice(1, -SUFFIX.length);
  const dot = inner.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const pid = Number(inner.slice(dot + 1));
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { target: inner.slice(0, dot), pid };
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // our own leftovers are never in flight (writes are serialised per name)
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files left in `dir` by writers that were killed mid-write (their process is
 * gone). With `target`, only that file's leftovers. Returns the names removed.
 */
export async function cleanStale(dir: string, target?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const parsed = parseTempName(name);
    if (parsed === undefined || (target !== undefined && parsed.target !== target)) continue;
    if (isAlive(parsed.pid)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

const inFlight = new Map<string, Promise<void>>();

/**
 * Writes a file so that readers see either the old contents or the new, never a mix: a hidden
 * temporary file in the same directory is written, fsync'ed and renamed over the target (rename is
 * atomic within a file system), then the directory is fsync'ed. If anything fails (including the
 * source of chunks throwing), the temporary file is removed and the target is untouched. A temp
 * file left by a killed writer is removed by the next write of the same file.
 *
 * @param data the bytes, text (UTF-8), or a (possibly async) stream of chunks
 *
 * @example
 * await writeFileAtomic('model/weights.safetensors', bytes);
 */
export async function writeFileAtomic(
  path: string,
  data: Chunk | Iterable<Chunk> | AsyncIterable<Chunk>,
): Promise<void> {
  // Writes of the same path from this process take turns (they share one temp name).
  const previous = inFlight.get(path) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => write(path, data));
  inFlight.set(path, run);
  try {
    await run;
  } finally {
    if (inFlight.get(path) === run) inFlight.delete(path);
  }
}

async function write(path: string, data: Chunk | Iterable<Chunk> | AsyncIterable<Chunk>): Promise<void> {
  await cleanStale(dirname(path), basename(path));
  const tmp = tempName(path);
  const handle = await open(tmp, 'w');
  try {
    const chunks = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
    for await (const chunk of chunks) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let at = 0;
      while (at < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, at, bytes.byteLength - at);
        at += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename durable. Best effort: some platforms (Windows) cannot open a directory. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The file itself is complete and in place; only durability across a power cut is weaker.
  }
}
