/**
 * Finding a data set on disk. The data directory is, in order:
 *   1. the `dataDir` option;
 *   2. `$STRAND_DATA_DIR`;
 *   3. a `shared/data` folder in the current directory or one of its ancestors (a checkout of
 *      Strand sits beside `shared/`, so `../shared/data` is found from the repository root);
 *   4. the cache folder `$XDG_CACHE_HOME/strand/data` (default `~/.cache/strand/data`), which is
 *      filled by downloading from the original source when a data set is missing there.
 * 1 and 2 are taken at their word: a data set missing there is an error (or, with `download: true`,
 * a download into that folder). 3 is a guess: a folder there that lacks the data set is passed over.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DataNotFoundError } from '../errors.js';
import { DATASETS, type DatasetName, type DatasetSpec } from './datasets.js';
import { type DownloadOptions, downloadDataset } from './download.js';

export interface DataDirOptions {
  /** The data directory (holding `tinyshakespeare/`, `names/`, ...). Overrides everything else. */
  readonly dataDir?: string;
  /** Where the upward search for `shared/data` starts. Default `process.cwd()`. */
  readonly cwd?: string;
  /** The last folder the upward search looks in (inclusive). Default: the file system's root. */
  readonly stopAt?: string;
  /** Environment to read `STRAND_DATA_DIR` and `XDG_CACHE_HOME` from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The download cache. Default `$XDG_CACHE_HOME/strand/data`, else `~/.cache/strand/data`. */
  readonly cacheDir?: string;
}

export interface FindOptions extends DataDirOptions, DownloadOptions {
  /**
   * Download a missing data set from its original source. Default: into the cache folder only
   * (step 4); `true` also downloads into an explicit `dataDir`/`STRAND_DATA_DIR`; `false` never.
   */
  readonly download?: boolean;
}

/** Where a data directory came from. */
export type DataDirOrigin = 'option' | 'env' | 'ancestor' | 'cache';

/** The default download cache folder. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'strand', 'data');
}

/** The candidate data directories, in the order they are tried. */
export function dataDirCandidates(options: DataDirOptions = {}): { dir: string; origin: DataDirOrigin }[] {
  const env = options.env ?? process.env;
  if (options.dataDir !== undefined) return [{ dir: resolve(options.dataDir), origin: 'option' }];
  if (env['STRAND_DATA_DIR']) return [{ dir: resolve(env['STRAND_DATA_DIR']), origin: 'env' }];
  const out: { dir: string; origin: DataDirOrigin }[] = [];
  for (let at = resolve(options.cwd ?? process.cwd()); ; at = dirname(at)) {
    const candidate = join(at, 'shared', 'data');
    if (isDirectory(candidate)) out.push({ dir: candidate, origin: 'ancestor' });
    if (dirname(at) === at || (options.stopAt !== undefined && at === resolve(options.stopAt))) break;
  }
  out.push({ dir: resolve(options.cacheDir ?? defaultCacheDir(env)), origin: 'cache' });
  return out;
}

/** True when `dir` holds the data set (all its files; for names any `*.txt`; for UD any split). */
export function hasDataset(dir: string, name: DatasetName): boolean {
  const spec = DATASETS[name];
  const folder = join(dir, spec.folder);
  if (spec.presence === 'txt') {
    return (
      isDirectory(folder) && readdirSync(folder).some((f) => f.endsWith('.txt') && isFile(join(folder, f)))
    );
  }
  const present = spec.files.map((f) => isFile(join(folder, f)));
  return spec.presence === 'all' ? present.every(Boolean) : present.some(Boolean);
}

/**
 * The folder of data set `name` (e.g. `/work/shared/data/tinyshakespeare`), downloading it into
 * the cache when it is nowhere else. Throws DataNotFoundError saying what to create where.
 */
export async function findDataset(name: DatasetName, options: FindOptions = {}): Promise<string> {
  const spec = DATASETS[name];
  if (spec === undefined)
    throw new DataNotFoundError(String(name), `unknown data set ${JSON.stringify(name)}`, []);
  const candidates = dataDirCandidates(options);
  const searched: string[] = [];
  for (const { dir, origin } of candidates) {
    searched.push(join(dir, spec.folder));
    if (hasDataset(dir, name)) return join(dir, spec.folder);
    const mayDownload =
      origin === 'cache' ? options.download !== false : origin !== 'ancestor' && options.download === true;
    if (mayDownload) {
      try {
        await downloadDataset(spec, dir, options);
      } catch (error) {
        throw notFound(spec, searched, origin, `downloading it failed: ${(error as Error).message}`, error);
      }
      return join(dir, spec.folder);
    }
    if (origin === 'option' || origin === 'env') break;
  }
  const last = candidates.at(-1)!.origin;
  throw notFound(spec, searched, last, last === 'cache' ? 'downloads are off (download: false)' : undefined);
}

function notFound(
  spec: DatasetSpec,
  searched: readonly string[],
  origin: DataDirOrigin,
  why?: string,
  cause?: unknown,
): DataNotFoundError {
  const files = spec.files.map((f) => `${spec.folder}/${f}`).join(', ');
  const where =
    origin === 'option'
      ? 'in the folder given as dataDir (or pass download: true)'
      : origin === 'env'
        ? 'in the folder STRAND_DATA_DIR names (or pass download: true)'
        : 'in a data folder (set STRAND_DATA_DIR to it, or put it at ../shared/data beside your checkout)';
  const message =
    `data set ${spec.name} not found (looked in ${searched.join(', ')})${why ? `; ${why}` : ''}. ` +
    `Create ${files} ${where}; the original is at ${spec.downloads.map((d) => d.url).join(', ')}.`;
  return new DataNotFoundError(spec.name, message, searched, { cause });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
