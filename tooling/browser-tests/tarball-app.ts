import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, realpath, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/**
 * Packs `entries` and the workspace packages they depend on (tooling/scripts/pack-workspace.mjs, from
 * their built dist/), and lays them out as `npm install` would in `appDir/node_modules`: each tarball
 * unpacked, and each third-party dependency the tarballs DECLARE (plus `extra`, the app's own) linked from
 * the workspace's store. Offline and a second or two; a dependency a tarball forgets to declare is absent,
 * so the build fails as it would for a user.
 */
export async function installTarballs(appDir: string, entries: string[], extra: string[]): Promise<string[]> {
  const printed = execFileSync(
    process.execPath,
    [join(root, 'tooling', 'scripts', 'pack-workspace.mjs'), join(appDir, '.tarballs'), ...entries],
    { encoding: 'utf8' },
  );
  const tarballs = JSON.parse(printed) as Record<string, string>;
  const modules = join(appDir, 'node_modules');
  const wanted = new Map<string, string>(extra.map((d) => [d, here])); // dependency -> dir to resolve it from
  for (const [name, tgz] of Object.entries(tarballs)) {
    const dir = join(modules, name);
    await mkdir(dir, { recursive: true });
    execFileSync('tar', ['xzf', tgz, '--strip-components=1', '-C', dir]);
    const m = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
    const workspaceDir = await workspaceDirOf(name);
    const optional = new Set(
      Object.entries(m.peerDependenciesMeta ?? {})
        .filter(([, v]) => v.optional)
        .map(([k]) => k),
    );
    for (const dep of Object.keys({ ...m.dependencies, ...m.peerDependencies })) {
      if (dep in tarballs || optional.has(dep) || wanted.has(dep)) continue;
      wanted.set(dep, workspaceDir);
    }
  }
  for (const [dep, from] of wanted) {
    const target = await packageDir(dep, from);
    const link = join(modules, dep);
    await mkdir(dirname(link), { recursive: true });
    await symlink(target, link, 'dir');
  }
  return Object.keys(tarballs);
}

async function workspaceDirOf(name: string): Promise<string> {
  for (const group of ['packages', 'apps']) {
    const parent = join(root, group);
    for (const d of await readdir(parent).catch(() => [] as string[])) {
      const file = join(parent, d, 'package.json');
      const m = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as { name?: string };
      if (m.name === name) return join(parent, d);
    }
  }
  throw new Error(`no workspace package ${name}`);
}

/** The real directory of `dep` as installed for the package in `from`. */
async function packageDir(dep: string, from: string): Promise<string> {
  const require = createRequire(join(from, 'package.json'));
  for (const base of require.resolve.paths(dep) ?? []) {
    const dir = join(base, dep);
    if (await stat(join(dir, 'package.json')).catch(() => null)) return realpath(dir);
  }
  throw new Error(`${dep} is not installed for ${relative(root, from)}`);
}

/** Copies the app sources (index.html, main.ts, sub-pages) into the app directory. */
export async function copyAppSources(appDir: string): Promise<void> {
  await cp(join(here, 'tarball-app'), appDir, { recursive: true });
}

/** `vite build [page]` in the app, as its user would run it: the app's own vite, no config file. */
export function viteBuild(appDir: string, page?: string): string {
  const vite = join(appDir, 'node_modules', 'vite', 'bin', 'vite.js');
  const args = [vite, 'build', ...(page ? [page] : []), '--manifest', '--logLevel', 'warn'];
  execFileSync(process.execPath, args, { cwd: appDir, encoding: 'utf8', stdio: 'pipe' });
  return join(appDir, ...(page ? [page] : []), 'dist');
}

export interface BundleSizes {
  /** JavaScript the page loads up front: the entry chunk and its static imports (bytes). */
  initialJs: number;
  /** Every JavaScript chunk emitted, lazy ones included (bytes). */
  totalJs: number;
  /** The .wasm assets emitted (bytes). */
  wasm: number;
  /** Files of the lazily imported chunks (`assets/...`). */
  lazyChunks: string[];
  /** Every JavaScript file emitted (`assets/...`). */
  allJs: string[];
}

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

/** Sizes from Vite's manifest (`--manifest`) and the files in `dist`. */
export async function bundleSizes(dist: string): Promise<BundleSizes> {
  const manifest = JSON.parse(await readFile(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const size = async (file: string) => (await stat(join(dist, file))).size;
  const initial = new Set<string>();
  const visit = (key: string) => {
    const c = manifest[key];
    if (!c || initial.has(c.file)) return;
    initial.add(c.file);
    for (const k of c.imports ?? []) visit(k);
  };
  for (const [k, c] of Object.entries(manifest)) if (c.isEntry) visit(k);
  const assets = await readdir(join(dist, 'assets'));
  const js = assets.filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
  let initialJs = 0;
  for (const f of initial) initialJs += await size(f);
  let totalJs = 0;
  for (const f of js) totalJs += await size(f);
  let wasm = 0;
  for (const f of assets.filter((a) => a.endsWith('.wasm'))) wasm += await size(`assets/${f}`);
  return { initialJs, totalJs, wasm, lazyChunks: js.filter((f) => !initial.has(f)), allJs: js };
}
