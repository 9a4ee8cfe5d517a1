#!/usr/bin/env node
// Checks (and with --fix writes) the publishing metadata of every non-private workspace package, so that
// packages added later get the same treatment: a LICENSE file with the Apache-2.0 text, `license`,
// `engines`, `repository` (with `directory`), `homepage`, `bugs`, `keywords`, a version that is not 0.0.0,
// inter-package ranges that mean something once published, and `typesVersions` for every `./<subpath>`
// export (so TypeScript's node10 resolution finds `@strand/x/node` too).
//
//   node tooling/scripts/check-packages.mjs          # report; exit 1 if anything is off
//   node tooling/scripts/check-packages.mjs --fix    # write the fixes (package.json, LICENSE), then report
//
// Why `workspace:^` with a 0.1.0 floor: pnpm publishes `workspace:^` as `^<version>`. On 0.0.0 that is
// `^0.0.0`, which npm reads as "exactly 0.0.0", so every later release of a dependency would be refused.
// From 0.1.0 on, `^0.1.0` means ">=0.1.0 <0.2.0": patch releases are picked up, and a minor release
// (breaking, in 0.x semver) needs the dependent to be released too, which changesets does
// (`updateInternalDependencies`). `workspace:*` would pin exact versions and duplicate packages in an
// application that mixes two patch releases.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wantFix = process.argv.includes('--fix');
let fix = false;

/** The one place that names the public repository. */
const REPOSITORY = 'https://github.com/strand-ml/strand';
const ENGINES = { node: '>=20.19' };
const FIRST_VERSION = '0.1.0';
/** Debian's /usr/share/common-licenses/Apache-2.0, committed so the check does not depend on the machine. */
const LICENSE_COPY = join(root, 'tooling', 'scripts', 'Apache-2.0.txt');
const COMMON_KEYWORDS = ['strand', 'sequence-modeling'];
const TENSOR_KEYWORDS = ['tensorflow', 'tfjs', 'machine-learning'];
/** Keywords beyond the common ones, for the packages that exist; new packages get the common ones. */
const KEYWORDS = {
  '@strand/base': ['errors', 'random', 'seeded-rng', 'vocabulary', 'validation'],
  '@strand/backend': ['webassembly', 'wasm', 'webgpu', 'backend', 'gradients'],
  '@strand/backend-webgpu': ['webgpu', 'dawn', 'gpu', 'backend'],
  '@strand/backend-node': ['cuda', 'gpu', 'tfjs-node', 'backend'],
  '@strand/core': ['neural-network', 'parameters', 'safetensors'],
  '@strand/cells': ['rnn', 'lstm', 'gru', 'recurrent-neural-network', 'bptt'],
  '@strand/tokenizers': ['tokenizer', 'bpe', 'tiktoken', 'huggingface', 'nlp'],
  '@strand/embeddings': ['embeddings', 'word2vec', 'glove', 'skip-gram', 'nlp'],
  '@strand/markov': ['n-gram', 'language-model', 'hmm', 'markov-chain', 'kalman-filter', 'arpa'],
  '@strand/trainer': ['training', 'optimizer', 'checkpoint'],
  '@strand/data': ['dataset', 'batching', 'nlp'],
  '@strand/attention': ['attention', 'transformer'],
  '@strand/cli': ['cli'],
};
/** Field order for newly added fields: after `license`, like most published packages. */
const AFTER_LICENSE = ['repository', 'homepage', 'bugs', 'keywords', 'engines'];

function licenseText() {
  return readFileSync(LICENSE_COPY, 'utf8');
}

function workspacePackageDirs() {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = yaml.split(/^packages:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  const globs = [...block.matchAll(/^\s*-\s*["']?([^"'\s]+)["']?/gm)].map((m) => m[1]);
  const dirs = [];
  for (const glob of globs) {
    if (!glob.endsWith('/*')) throw new Error(`check-packages: unsupported workspace glob '${glob}'`);
    const parent = join(root, glob.slice(0, -2));
    if (!existsSync(parent)) continue;
    for (const d of readdirSync(parent, { withFileTypes: true })) {
      if (d.isDirectory() && existsSync(join(parent, d.name, 'package.json')))
        dirs.push(join(parent, d.name));
    }
  }
  return dirs.sort();
}

/** Inserts `key` after `license` (or the last of AFTER_LICENSE present before it), keeping the order. */
function withField(pkg, key, value) {
  if (key in pkg) return { ...pkg, [key]: value };
  const anchorKeys = ['license', ...AFTER_LICENSE.slice(0, AFTER_LICENSE.indexOf(key))];
  let anchor = null;
  for (const k of Object.keys(pkg)) if (anchorKeys.includes(k)) anchor = k;
  const out = {};
  if (anchor === null) Object.assign(out, pkg);
  for (const [k, v] of Object.entries(pkg)) {
    out[k] = v;
    if (k === anchor) out[key] = value;
  }
  if (anchor === null) out[key] = value;
  return out;
}

const isDeepEqual = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function checkPackage(dir, workspaceNames, privateNames, license) {
  const file = join(dir, 'package.json');
  const original = readFileSync(file, 'utf8');
  let pkg = JSON.parse(original);
  const rel = relative(root, dir).split('\\').join('/');
  const problems = [];
  const want = (ok, message, apply) => {
    if (ok) return;
    problems.push(message);
    if (fix && apply) pkg = apply(pkg) ?? pkg;
  };

  want(typeof pkg.description === 'string' && pkg.description.length > 0, 'no description');
  want(
    pkg.license === 'Apache-2.0',
    `license is ${JSON.stringify(pkg.license)}, expected "Apache-2.0"`,
    (p) => withField(p, 'license', 'Apache-2.0'),
  );
  want(
    pkg.version !== '0.0.0',
    `version 0.0.0 publishes dependents' ranges as ^0.0.0 (exactly 0.0.0)`,
    (p) => ({
      ...p,
      version: FIRST_VERSION,
    }),
  );
  const repository = { type: 'git', url: `git+${REPOSITORY}.git`, directory: rel };
  want(isDeepEqual(pkg.repository, repository), `repository should be ${JSON.stringify(repository)}`, (p) =>
    withField(p, 'repository', repository),
  );
  const homepage = `${REPOSITORY}/tree/main/${rel}#readme`;
  want(pkg.homepage === homepage, `homepage should be ${homepage}`, (p) =>
    withField(p, 'homepage', homepage),
  );
  const bugs = { url: `${REPOSITORY}/issues` };
  want(isDeepEqual(pkg.bugs, bugs), `bugs should be ${JSON.stringify(bugs)}`, (p) =>
    withField(p, 'bugs', bugs),
  );
  const tensor = Boolean(pkg.peerDependencies?.['@tensorflow/tfjs-core']);
  const keywords = [
    ...new Set([...COMMON_KEYWORDS, ...(tensor ? TENSOR_KEYWORDS : []), ...(KEYWORDS[pkg.name] ?? [])]),
  ];
  want(
    Array.isArray(pkg.keywords) && COMMON_KEYWORDS.every((k) => pkg.keywords.includes(k)),
    `keywords should include ${COMMON_KEYWORDS.join(', ')}`,
    (p) =>
      withField(p, 'keywords', [...new Set([...(Array.isArray(p.keywords) ? p.keywords : []), ...keywords])]),
  );
  want(isDeepEqual(pkg.engines, ENGINES), `engines should be ${JSON.stringify(ENGINES)}`, (p) =>
    withField(p, 'engines', ENGINES),
  );

  // Inter-package ranges in what gets published.
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (!workspaceNames.has(name)) continue;
      want(
        !privateNames.has(name),
        `${field}.${name} is a private workspace package and cannot be published`,
      );
      want(range === 'workspace:^', `${field}.${name} is '${range}', expected 'workspace:^'`, (p) => ({
        ...p,
        [field]: { ...p[field], [name]: 'workspace:^' },
      }));
    }
  }

  // Every `./sub` export gets a typesVersions entry for node10 resolution (no `exports` support).
  const subpaths = Object.entries(pkg.exports ?? {}).filter(
    ([k, v]) => /^\.\/[^*]+$/.test(k) && typeof v === 'object' && v.types && k !== './package.json',
  );
  if (subpaths.length > 0) {
    const map = {};
    for (const [k, v] of subpaths) map[k.slice(2)] = [v.types];
    const typesVersions = { '*': map };
    want(
      isDeepEqual(pkg.typesVersions, typesVersions),
      `typesVersions should map ${Object.keys(map).join(', ')} for node10 resolution`,
      (p) => ({
        ...p,
        typesVersions,
      }),
    );
  }

  const licensePath = join(dir, 'LICENSE');
  const licenseOk = existsSync(licensePath) && readFileSync(licensePath, 'utf8') === license;
  want(licenseOk, 'LICENSE is missing or is not the Apache-2.0 text', () => {
    writeFileSync(licensePath, license);
  });

  if (fix) {
    const text = `${JSON.stringify(pkg, null, 2)}\n`;
    if (text !== original) writeFileSync(file, text);
  }
  return problems;
}

const dirs = workspacePackageDirs();
const manifests = dirs.map((d) => JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')));
const workspaceNames = new Set(manifests.map((m) => m.name));
const privateNames = new Set(manifests.filter((m) => m.private).map((m) => m.name));
const license = licenseText();
if (wantFix) {
  fix = true;
  for (const [i, dir] of dirs.entries()) {
    if (manifests[i].private) continue;
    const problems = checkPackage(dir, workspaceNames, privateNames, license);
    if (problems.length > 0) console.log(`fixing ${manifests[i].name}: ${problems.length} change(s)`);
  }
  fix = false;
}
let failed = 0;
for (const [i, dir] of dirs.entries()) {
  if (manifests[i].private) continue;
  const problems = checkPackage(dir, workspaceNames, privateNames, license);
  const name = manifests[i].name;
  if (problems.length === 0) {
    console.log(`ok    ${name}`);
    continue;
  }
  failed++;
  console.log(`FAIL  ${name}\n${problems.map((p) => `        - ${p}`).join('\n')}`);
}
if (failed > 0) {
  console.log(`\n${failed} package(s) need changes: node tooling/scripts/check-packages.mjs --fix`);
  process.exit(1);
}
