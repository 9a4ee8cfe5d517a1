// tsc does not copy plain .js files: the generated gradient bundle and the wasm pthread worker ship beside
// the compiled code.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
mkdirSync(join(root, 'dist', 'generated'), { recursive: true });
copyFileSync(join(root, 'src', 'generated', 'gradients.js'), join(root, 'dist', 'generated', 'gradients.js'));
copyFileSync(join(root, 'src', 'wasm-pthread-worker.cjs'), join(root, 'dist', 'wasm-pthread-worker.cjs'));
