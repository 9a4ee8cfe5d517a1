#!/usr/bin/env node
// Packs workspace packages with `pnpm pack` (which rewrites `workspace:` and `catalog:` ranges as
// publishing does) from their current dist/ (build them first). Prints a JSON map name -> tarball path.
//
//   node tooling/scripts/pack-workspace.mjs DEST                      # every non-private package
//   node tooling/scripts/pack-workspace.mjs DEST @strand/core ...     # these and their @strand dependencies
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** name -> { dir, manifest } for every package under packages/ and apps/ that is not private. */
export function publishablePackages() {
  const out = new Map();
  for (const group of ['packages', 'apps']) {
    const parent = join(root, group);
    if (!existsSync(parent)) continue;
    for (const d of readdirSync(parent, { withFileTypes: true })) {
      const file = join(parent, d.name, 'package.json');
      if (!d.isDirectory() || !existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      if (!manifest.private) out.set(manifest.name, { dir: join(parent, d.name), manifest });
    }
  }
  return out;
}

/** `names` and every workspace package they depend on at runtime (dependencies, peers). */
export function withDependencies(names, packages) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || !packages.has(name)) return;
    seen.add(name);
    const m = packages.get(name).manifest;
    for (const dep of Object.keys({ ...m.dependencies, ...m.peerDependencies })) visit(dep);
  };
  for (const n of names) {
    if (!packages.has(n)) throw new Error(`pack-workspace: no publishable package named ${n}`);
    visit(n);
  }
  return [...seen].sort();
}

export function pack(names, dest) {
  const packages = publishablePackages();
  mkdirSync(dest, { recursive: true });
  const out = {};
  for (const name of names.length > 0 ? withDependencies(names, packages) : [...packages.keys()].sort()) {
    const { dir } = packages.get(name);
    const printed = execFileSync('pnpm', ['pack', '--pack-destination', dest], {
      cwd: dir,
      encoding: 'utf8',
    });
    const tgz = printed.trim().split('\n').at(-1).trim();
    out[name] = resolve(dest, tgz.split('/').at(-1));
    if (!existsSync(out[name])) throw new Error(`pack-workspace: pnpm pack of ${name} printed '${tgz}'`);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dest, ...names] = process.argv.slice(2);
  if (!dest) {
    console.error('usage: pack-workspace.mjs DEST [package ...]');
    process.exit(2);
  }
  console.log(JSON.stringify(pack(names, resolve(dest)), null, 2));
}
