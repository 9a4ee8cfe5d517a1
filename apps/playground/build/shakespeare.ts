/**
 * Serves tiny Shakespeare from the app's own origin without committing it: `vite build` copies
 * $STRAND_DATA_DIR/tinyshakespeare/input.txt (default: the workspace's ../shared/data) to
 * dist/data/tinyshakespeare.txt, and `vite dev` serves the same file at that path. When the file is
 * absent the app still builds; the page then asks for a dropped file or pasted text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';

export const DATA_URL_PATH = 'data/tinyshakespeare.txt';

/** Where the data sets live: STRAND_DATA_DIR, else the shared folder beside the checkout. */
export function dataDir(): string {
  const env = process.env['STRAND_DATA_DIR'];
  if (env) return resolve(env);
  return resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data');
}

export function shakespeareFile(): string | null {
  const file = join(dataDir(), 'tinyshakespeare', 'input.txt');
  return existsSync(file) ? file : null;
}

export function shakespearePlugin(): Plugin {
  return {
    name: 'strand-tinyshakespeare',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const file = shakespeareFile();
        if (!req.url?.endsWith(`/${DATA_URL_PATH}`) || !file) return next();
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end(readFileSync(file));
      });
    },
    generateBundle() {
      const file = shakespeareFile();
      if (!file) {
        this.warn(`tiny Shakespeare not found under ${dataDir()}; the page will ask for a file`);
        return;
      }
      this.emitFile({ type: 'asset', fileName: DATA_URL_PATH, source: readFileSync(file) });
    },
  };
}
