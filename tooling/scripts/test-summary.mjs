// Prints one closing line for the whole workspace from each package's vitest JSON report:
// "N passed, N failed, N skipped". Exits non-zero if any test failed or no test ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const group of ['packages', 'apps', 'tooling']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, '.vitest-report.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const skip = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    // A file that fails to load counts as a failure even though none of its tests ran.
    const brokenFiles = (r.testResults ?? []).filter(
      (f) => f.status === 'failed' && f.assertionResults.length === 0,
    ).length;
    passed += r.numPassedTests;
    failed += r.numFailedTests + brokenFiles;
    skipped += skip;
    rows.push(
      `  ${`${group}/${name}`.padEnd(28)} ${String(r.numPassedTests).padStart(5)} passed ${String(r.numFailedTests).padStart(3)} failed ${String(skip).padStart(3)} skipped`,
    );
  }
}
console.log(`\nTests by package:\n${rows.join('\n')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
