import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export type Chunk = Uint8Array | string;

/**
 * Writes a file so that readers see either the old contents or the new, never a mix:
 * a temporary file in the same directory is written, fsync'ed and renamed over the target
 * (rename is atomic within a file system), then the directory is fsync'ed.
 * If anything fails (including the source of chunks throwing), the temporary file is removed,
 * the target is untouched and the error is rethrown.
 *
 * @param data the bytes, text (UTF-8), or a (possibly async) stream of chunks
 *
 * @example
 * await writeFileAtomic('vectors.txt', linesOf(vectors));
 */
export async function writeFileAtomic(
  path: string,
  data: Chunk | Iterable<Chunk> | AsyncIterable<Chunk>,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx');
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
