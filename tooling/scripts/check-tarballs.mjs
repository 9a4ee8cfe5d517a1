#!/usr/bin/env node
// CI check of what npm users get: packs every publishable package (from its built dist/, so run after
// `pnpm build`) and checks each tarball with
//   - publint (--strict: its warnings fail too): exports, files, fields;
//   - attw (@arethetypeswrong/cli): every entry point, `./node` included, under node10, node16 (CJS and
//     ESM) and bundler resolution. One rule is ignored on purpose: `cjs-resolves-to-esm`. The packages
//     are ESM only; Node >= 20.19 (our `engines`) can require() them, but attw's node16-from-CJS mode
//     models TypeScript's `module: node16`, where a CommonJS file can only import() them. See the backend
//     README ("Module formats");
//   - no second copy of a large file (>= 16 KB, same bytes) unless listed in ALLOWED_DUPLICATES;
//   - a LICENSE file;
// and runs check-packages.mjs (the metadata) first.
//
//   node tooling/scripts/check-tarballs.mjs [package ...]
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pack } from './pack-workspace.mjs';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const IGNORED_ATTW_RULES = ['cjs-resolves-to-esm'];
const LARGE = 16 * 1024;
/** `package: [file, file]` pairs that are meant to ship twice. None today. */
const ALLOWED_DUPLICATES = {};

const started = Date.now();
execFileSync(process.execPath, [join(here, 'check-packages.mjs')], { stdio: 'inherit' });

const work = mkdtempSync(join(tmpdir(), 'strand-tarballs-'));
let failures = 0;
try {
  const tarballs = pack(process.argv.slice(2), join(work, 'tgz'));
  const checks = Object.entries(tarballs).map(([name, tgz]) => async () => {
    const problems = [];
    const publint = await run(bin('publint'), ['--strict', tgz], { encoding: 'utf8' }).catch((e) => e);
    if (publint.code) problems.push(`publint:\n${publint.stdout}${publint.stderr}`);
    const attw = await run(bin('attw'), [tgz, '--ignore-rules', ...IGNORED_ATTW_RULES, '--format', 'ascii'], {
      encoding: 'utf8',
    }).catch((e) => e);
    if (attw.code) problems.push(`attw:\n${attw.stdout}${attw.stderr}`);
    const dir = join(work, name.replace('/', '__'));
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('tar', ['xzf', tgz, '-C', dir]);
    const files = listFiles(join(dir, 'package'));
    if (!files.includes('LICENSE')) problems.push('no LICENSE file');
    const byHash = new Map();
    for (const f of files) {
      const path = join(dir, 'package', f);
      if (statSync(path).size < LARGE) continue;
      const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
      byHash.set(hash, [...(byHash.get(hash) ?? []), f]);
    }
    const allowed = (ALLOWED_DUPLICATES[name] ?? []).join('\n');
    for (const same of byHash.values()) {
      if (same.length > 1 && same.join('\n') !== allowed)
        problems.push(`the same bytes ship twice: ${same.join(', ')}`);
    }
    const size = statSync(tgz).size;
    return { name, size, files: files.length, problems };
  });
  // Two at a time: attw and publint are single-threaded and CI machines are small.
  const results = [];
  for (let i = 0; i < checks.length; i += 2)
    results.push(...(await Promise.all(checks.slice(i, i + 2).map((c) => c()))));
  for (const r of results) {
    const line = `${r.name.padEnd(26)} ${(r.size / 1024).toFixed(0).padStart(5)} KB packed, ${String(r.files).padStart(3)} files`;
    if (r.problems.length === 0) console.log(`ok    ${line}`);
    else {
      failures++;
      console.log(
        `FAIL  ${line}\n${r.problems.map((p) => `  ${p.trim().split('\n').join('\n  ')}`).join('\n')}`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `check-tarballs: ${failures === 0 ? 'all good' : `${failures} package(s) failed`} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
process.exit(failures === 0 ? 0 : 1);

function listFiles(dir, prefix = '') {
  const out = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...listFiles(join(dir, d.name), rel));
    else out.push(rel);
  }
  return out.sort();
}
