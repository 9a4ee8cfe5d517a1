import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPath, hasData } from '@strand/test-utils';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../test/http-server.js';
import { DataNotFoundError } from '../errors.js';
import { dataDirCandidates, defaultCacheDir, findDataset, hasDataset } from './data-dir.js';
import {
  loadEngFra,
  loadJsbChorales,
  loadNames,
  loadSentiment,
  loadTinyShakespeare,
  loadUdEnglishEwt,
} from './loaders.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const conllu = '1\tHello\t_\tINTJ\t_\t_\t0\t_\t_\t_\n\n';
let root: string;
let server: TestServer;

// The original sources' layouts, in miniature: the PyTorch tutorial zip (names + eng-fra), the UCI
// zip (with macOS resource-fork junk), raw files for the rest.
const ROUTES = {
  '/input.txt': 'First Citizen:\nSpeak.\n',
  '/data.zip': zipSync({
    'data/eng-fra.txt': enc('Go.\tVa !\nHi.\tSalut !\n'),
    'data/names/Greek.txt': enc('Adamidis\nAdamou\n'),
    'data/names/Arabic.txt': enc('Bensaïd\n'),
    'data/other.txt': enc('ignored'),
  }),
  '/sentiment+labelled+sentences.zip': zipSync({
    'sentiment labelled sentences/amazon_cells_labelled.txt': enc('Good.\t1\n'),
    'sentiment labelled sentences/imdb_labelled.txt': enc('Bad.  \t0\n'),
    'sentiment labelled sentences/yelp_labelled.txt': enc('Wow.\t1\n'),
    'sentiment labelled sentences/readme.txt': enc('readme'),
    '__MACOSX/sentiment labelled sentences/._imdb_labelled.txt': Uint8Array.of(0, 5, 22, 7),
  }),
  '/en_ewt-ud-train.conllu': conllu,
  '/en_ewt-ud-dev.conllu': conllu + conllu,
  '/en_ewt-ud-test.conllu': conllu,
  '/jsb-chorales-quarter.json': JSON.stringify({ train: [[[60]]], valid: [[[62], []]], test: [] }),
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'strand-data-'));
  server = await startTestServer(ROUTES);
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** An empty working tree and cache under the temp root, so no real shared/data is found. */
function sandbox(name: string): {
  cwd: string;
  cacheDir: string;
  env: Record<string, string>;
  stopAt: string;
} {
  const cwd = join(root, name, 'work', 'main');
  mkdirSync(cwd, { recursive: true });
  // stopAt: a shared/data folder above the temp folder (e.g. /tmp/shared) must not leak into the test.
  return { cwd, cacheDir: join(root, name, 'cache'), env: {}, stopAt: root };
}

describe('dataDirCandidates', () => {
  test('option, else STRAND_DATA_DIR, else shared/data upward from cwd, then the cache', () => {
    const s = sandbox('order');
    mkdirSync(join(root, 'order', 'work', 'shared', 'data'), { recursive: true });
    expect(dataDirCandidates({ ...s, dataDir: '/x/data', env: { STRAND_DATA_DIR: '/y' } })).toEqual([
      { dir: '/x/data', origin: 'option' },
    ]);
    expect(dataDirCandidates({ ...s, env: { STRAND_DATA_DIR: '/y' } })).toEqual([
      { dir: '/y', origin: 'env' },
    ]);
    const found = dataDirCandidates(s);
    expect(found[0]).toEqual({ dir: join(root, 'order', 'work', 'shared', 'data'), origin: 'ancestor' });
    expect(found.at(-1)).toEqual({ dir: s.cacheDir, origin: 'cache' });
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/strand/data');
    expect(defaultCacheDir({})).toMatch(/\.cache\/strand\/data$/);
  });
});

describe('stopAt', () => {
  test('the upward search looks in stopAt and in no folder above it', () => {
    const top = join(root, 'stop');
    mkdirSync(join(top, 'shared', 'data'), { recursive: true });
    mkdirSync(join(top, 'inner', 'shared', 'data'), { recursive: true });
    const cwd = join(top, 'inner', 'work');
    mkdirSync(cwd, { recursive: true });
    const dirs = (stopAt: string) =>
      dataDirCandidates({ cwd, stopAt, env: {}, cacheDir: '/c' }).map((c) => c.dir);
    expect(dirs(join(top, 'inner'))).toEqual([join(top, 'inner', 'shared', 'data'), '/c']);
    expect(dirs(top)).toEqual([join(top, 'inner', 'shared', 'data'), join(top, 'shared', 'data'), '/c']);
  });
});

describe('findDataset', () => {
  test('an ancestor shared/data that has the data set is used; one that lacks it is passed over', async () => {
    const s = sandbox('ancestor');
    const data = join(root, 'ancestor', 'work', 'shared', 'data');
    mkdirSync(join(data, 'tinyshakespeare'), { recursive: true });
    writeFileSync(join(data, 'tinyshakespeare', 'input.txt'), 'To be.\n');
    expect(await findDataset('tinyshakespeare', s)).toBe(join(data, 'tinyshakespeare'));
    expect(await loadTinyShakespeare(s)).toBe('To be.\n');
    await expect(findDataset('eng-fra', { ...s, download: false })).rejects.toThrow(DataNotFoundError);
  });

  test('missing with downloads off: DataNotFoundError saying what to create and the variable to set', async () => {
    const s = sandbox('missing');
    const e = (await findDataset('jsb-chorales', { ...s, download: false }).catch(
      (x: unknown) => x,
    )) as DataNotFoundError;
    expect(e).toBeInstanceOf(DataNotFoundError);
    expect(e.code).toBe('ERR_DATA_NOT_FOUND');
    expect(e.dataset).toBe('jsb-chorales');
    expect(e.searched).toEqual([join(s.cacheDir, 'jsb-chorales')]);
    expect(e.message).toContain('jsb-chorales/jsb-chorales-quarter.json');
    expect(e.message).toContain('STRAND_DATA_DIR');
  });

  test('an explicit dataDir or STRAND_DATA_DIR is taken at its word (no fallback, no download unless asked)', async () => {
    const s = sandbox('explicit');
    const dir = join(root, 'explicit', 'mine');
    const e = (await loadTinyShakespeare({ ...s, dataDir: dir, mirror: server.url }).catch(
      (x: unknown) => x,
    )) as DataNotFoundError;
    expect(e).toBeInstanceOf(DataNotFoundError);
    expect(e.message).toContain('in the folder given as dataDir');
    const env = (await loadTinyShakespeare({ ...s, env: { STRAND_DATA_DIR: dir } }).catch(
      (x: unknown) => x,
    )) as DataNotFoundError;
    expect(env.message).toContain('in the folder STRAND_DATA_DIR names');
    expect(
      await loadTinyShakespeare({ ...s, dataDir: dir, mirror: server.url, download: true, verify: false }),
    ).toBe('First Citizen:\nSpeak.\n');
    expect(readdirSync(join(dir, 'tinyshakespeare'))).toEqual(['input.txt']);
  });
});

describe('downloads into the cache (local server standing in for the original hosts)', () => {
  test('every data set downloads, unpacks, and loads; a second load reads the cache', async () => {
    const s = { ...sandbox('download'), mirror: server.url, verify: false }; // fixtures, not the originals
    const progress: string[] = [];
    expect(await loadTinyShakespeare({ ...s, onProgress: (p) => progress.push(p.dataset) })).toBe(
      'First Citizen:\nSpeak.\n',
    );
    expect(progress).toContain('tinyshakespeare');
    const names = await loadNames(s);
    expect(names.labels).toEqual(['Arabic', 'Greek']);
    expect(names.items.map((n) => n.text)).toEqual(['Bensaïd', 'Adamidis', 'Adamou']);
    expect(readdirSync(join(s.cacheDir, 'names')).sort()).toEqual(['Arabic.txt', 'Greek.txt']);
    expect(await loadEngFra({ ...s, normalize: true })).toEqual([
      { source: 'go .', target: 'va !' },
      { source: 'hi .', target: 'salut !' },
    ]);
    const sentiment = await loadSentiment(s);
    expect(sentiment.map((x) => `${x.source}:${x.label}:${x.text}`)).toEqual([
      'amazon_cells:1:Good.',
      'imdb:0:Bad.',
      'yelp:1:Wow.',
    ]);
    expect(readdirSync(join(s.cacheDir, 'sentiment')).sort()).toEqual([
      'amazon_cells_labelled.txt',
      'imdb_labelled.txt',
      'yelp_labelled.txt',
    ]);
    const ud = await loadUdEnglishEwt(s);
    expect(ud.splits).toEqual(['train', 'dev', 'test']);
    expect(ud.dev).toHaveLength(2);
    expect((await loadUdEnglishEwt({ ...s, splits: ['test'] })).train).toBeUndefined();
    expect((await loadJsbChorales(s)).valid).toEqual([[[62], []]]);
    for (const name of [
      'tinyshakespeare',
      'names',
      'eng-fra',
      'sentiment',
      'ud-english-ewt',
      'jsb-chorales',
    ] as const) {
      expect(hasDataset(s.cacheDir, name)).toBe(true);
    }
    const before = server.requests.length;
    await loadTinyShakespeare({ ...s, download: false });
    expect(server.requests.length).toBe(before);
    // no temp files left behind
    expect(readdirSync(join(s.cacheDir, 'tinyshakespeare'))).toEqual(['input.txt']);
  });

  test('known digests are checked: the fixture is not the original tiny Shakespeare', async () => {
    const s = { ...sandbox('digest'), mirror: server.url };
    await expect(loadTinyShakespeare(s)).rejects.toThrow(/SHA-256 [0-9a-f]{64} is not the expected 86c4e6aa/);
    expect(hasDataset(s.cacheDir, 'tinyshakespeare')).toBe(false);
  });

  test.skipIf(
    !hasData('tinyshakespeare', 'input.txt') || !hasData('jsb-chorales', 'jsb-chorales-quarter.json'),
  )('the real files, served locally, pass the digest check and load', async () => {
    const real = await startTestServer({
      '/input.txt': readFileSync(dataPath('tinyshakespeare', 'input.txt')),
      '/jsb-chorales-quarter.json': readFileSync(dataPath('jsb-chorales', 'jsb-chorales-quarter.json')),
    });
    try {
      const s = { ...sandbox('real'), mirror: real.url };
      expect((await loadTinyShakespeare(s)).length).toBe(1_115_394);
      expect((await loadJsbChorales(s)).train).toHaveLength(229);
    } finally {
      await real.close();
    }
  });

  test('a bad download (HTTP error, HTML page, wrong file) writes nothing and says why', async () => {
    const bad = await startTestServer({
      '/input.txt': '',
      '/jsb-chorales-quarter.json': '<html>rate limited</html>',
      '/data.zip': 'not a zip',
    });
    try {
      const s = { ...sandbox('bad'), mirror: bad.url, verify: false };
      const empty = (await loadTinyShakespeare(s).catch((x: unknown) => x)) as DataNotFoundError;
      expect(empty).toBeInstanceOf(DataNotFoundError);
      expect(empty.message).toMatch(/downloading it failed: .*empty/);
      await expect(loadJsbChorales(s)).rejects.toThrow(
        /downloading it failed: JSB chorales JSON .*invalid JSON/,
      );
      await expect(loadNames(s)).rejects.toThrow(/not a readable zip archive/);
      await expect(loadUdEnglishEwt(s)).rejects.toThrow(/HTTP 404/);
      expect(() => readdirSync(s.cacheDir)).toThrow();
    } finally {
      await bad.close();
    }
  });
});

describe('loaders on a path', () => {
  test('a file or a folder given directly', async () => {
    const dir = join(root, 'paths');
    mkdirSync(join(dir, 'names'), { recursive: true });
    writeFileSync(join(dir, 'names', 'Greek.txt'), 'Adamidis\n');
    writeFileSync(join(dir, 'names', 'Czech.txt'), 'Dvořák\n');
    writeFileSync(join(dir, 'pairs.txt'), 'Go.\tVa !\n');
    expect((await loadNames(join(dir, 'names'))).labels).toEqual(['Czech', 'Greek']);
    expect((await loadNames({ path: join(dir, 'names', 'Czech.txt'), ascii: true })).items).toEqual([
      { text: 'Dvorak', label: 'Czech' },
    ]);
    expect(await loadEngFra(join(dir, 'pairs.txt'))).toEqual([{ source: 'Go.', target: 'Va !' }]);
    expect(readFileSync(join(dir, 'pairs.txt'), 'utf8')).toBe('Go.\tVa !\n');
    await expect(loadEngFra(join(dir, 'nope.txt'))).rejects.toThrow(/cannot read .*nope\.txt \(ENOENT\)/);
    await expect(loadTinyShakespeare(dir)).rejects.toThrow(
      /tinyshakespeare: cannot read .*paths\/input\.txt \(ENOENT\)/,
    );
    await expect(loadSentiment(join(dir, 'names'))).rejects.toThrow(
      /expected <source>_labelled\.txt files, found none in .*names/,
    );
    await expect(loadUdEnglishEwt(join(dir, 'pairs.txt'))).rejects.toThrow(
      /expected CoNLL-U files named .*, received .*pairs\.txt/,
    );
    const e = await loadNames(join(root, 'paths', 'nothing-here')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataNotFoundError);
  });
});
