/** Downloads a data set into a data directory: fetch, unzip (fflate), check with its reader, write atomically. */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isStrandError } from '@strand/base';
import { writeFileAtomic } from '@strand/base/node';
import { unzipSync } from 'fflate';
import { DownloadError } from '../errors.js';
import { type FetchOptions, fetchBytes } from '../fetch.js';
import type { DatasetSpec } from './datasets.js';

export interface DownloadProgress {
  readonly dataset: string;
  readonly url: string;
  readonly received: number;
  readonly total: number | undefined;
}

export interface DownloadOptions extends Omit<FetchOptions, 'onProgress'> {
  /**
   * A base URL that replaces each original URL by `${mirror}/${its last path segment}`
   * (`input.txt`, `data.zip`, `en_ewt-ud-dev.conllu`, ...): a local mirror, or a test server.
   */
  readonly mirror?: string;
  /** Check the SHA-256 of downloads whose digest is known (tiny Shakespeare, JSB chorales). Default true. */
  readonly verify?: boolean;
  /** Progress of each download. */
  readonly onProgress?: (progress: DownloadProgress) => void;
}

/** Largest zip entry extracted (a guard against zip bombs). */
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

/** The URL actually fetched for `url` under `options.mirror`. */
export function mirrored(url: string, mirror: string | undefined): string {
  if (mirror === undefined) return url;
  return `${mirror.replace(/\/+$/, '')}/${url.slice(url.lastIndexOf('/') + 1)}`;
}

/**
 * Fetches every download of `spec`, checks each file with the data set's reader (so an HTML error
 * page is never cached), then writes them into `dataDir/spec.folder` atomically. Nothing is written
 * unless every file arrived and passed.
 */
export async function downloadDataset(
  spec: DatasetSpec,
  dataDir: string,
  options: DownloadOptions = {},
): Promise<void> {
  const files = new Map<string, Uint8Array>();
  for (const d of spec.downloads) {
    const url = mirrored(d.url, options.mirror);
    const bytes = await fetchBytes(url, {
      ...options,
      onProgress: (received, total) => options.onProgress?.({ dataset: spec.name, url, received, total }),
    });
    if (d.kind === 'file') {
      if (d.sha256 !== undefined && options.verify !== false) {
        const digest = createHash('sha256').update(bytes).digest('hex');
        if (digest !== d.sha256)
          throw new DownloadError(url, `SHA-256 ${digest} is not the expected ${d.sha256}`);
      }
      files.set(d.to, bytes);
      continue;
    }
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes, {
        filter: (f) => {
          const keep = d.extract(f.name) !== undefined;
          if (keep && f.originalSize > MAX_ENTRY_BYTES)
            throw new DownloadError(url, `zip entry ${f.name} is over ${MAX_ENTRY_BYTES} bytes`);
          return keep;
        },
      });
    } catch (error) {
      if (isStrandError(error)) throw error;
      throw new DownloadError(url, `not a readable zip archive (${(error as Error).message})`, undefined, {
        cause: error,
      });
    }
    for (const [entry, content] of Object.entries(entries)) files.set(d.extract(entry)!, content);
  }
  const missing = spec.presence === 'all' ? spec.files.filter((f) => !files.has(f)) : [];
  if (files.size === 0 || missing.length > 0) {
    throw new DownloadError(
      spec.downloads[0]!.url,
      `the download lacks ${missing.length > 0 ? missing.join(', ') : `${spec.name} files`}`,
    );
  }
  for (const [file, bytes] of files) spec.check(file.replace(/\.txt$/, ''), bytes, `${file} (downloaded)`);
  const folder = join(dataDir, spec.folder);
  await mkdir(folder, { recursive: true });
  for (const [file, bytes] of files) await writeFileAtomic(join(folder, file), bytes);
}
