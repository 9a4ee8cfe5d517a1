/**
 * Serves the data sets the page uses from the app's own origin without committing them: `vite build`
 * copies tiny Shakespeare and the English-French pairs from $STRAND_DATA_DIR (default: the
 * workspace's ../shared/data) into dist/data/, and `vite dev` serves the same files at those paths.
 * When a file is absent the app still builds; the page then asks for a file (Shakespeare) or says
 * that the translation model can only be loaded from a checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';

/** URL path beside the page -> file under the data directory. */
export const DATA_FILES = {
  'data/tinyshakespeare.txt': 'tinyshakespeare/input.txt',
  'data/eng-fra.txt': 'eng-fra/eng-fra.txt',
} as const;

/** Where the data sets live: STRAND_DATA_DIR, else the shared folder beside the checkout. */
export function dataDir(): string {
  const env = process.env['STRAND_DATA_DIR'];
  if (env) return resolve(env);
  return resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data');
}

function dataFile(relative: string): string | null {
  const file = join(dataDir(), relative);
  return existsSync(file) ? file : null;
}

export function dataPlugin(): Plugin {
  return {
    name: 'strand-data',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        for (const [urlPath, relative] of Object.entries(DATA_FILES)) {
          const file = dataFile(relative);
          if (!req.url?.endsWith(`/${urlPath}`) || !file) continue;
          res.setHeader('content-type', 'text/plain; charset=utf-8');
          res.end(readFileSync(file));
          return;
        }
        next();
      });
    },
    generateBundle() {
      for (const [urlPath, relative] of Object.entries(DATA_FILES)) {
        const file = dataFile(relative);
        if (!file) this.warn(`${relative} not found under ${dataDir()}; the page will do without it`);
        else this.emitFile({ type: 'asset', fileName: urlPath, source: readFileSync(file) });
      }
    },
  };
}
