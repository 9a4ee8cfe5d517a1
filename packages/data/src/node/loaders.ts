/**
 * `load*`: each data set from a path, or found in the data directory (see data-dir.ts), read with
 * the same `parse*` reader a browser uses.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataNotFoundError } from '../errors.js';
import { type ParseEngFraOptions, parseEngFra, type SentencePair } from '../readers/eng-fra.js';
import { type JsbChorales, parseJsbChorales } from '../readers/jsb-chorales.js';
import { type NamesData, type ParseNamesOptions, parseNames } from '../readers/names.js';
import { parseSentiment, type SentimentExample } from '../readers/sentiment.js';
import { parseText } from '../readers/shakespeare.js';
import { parseUd, UD_SPLITS, type UdSentence, type UdSplit, udSplitOf } from '../readers/ud.js';
import { type FindOptions, findDataset } from './data-dir.js';
import { DATASETS, type DatasetName } from './datasets.js';

/** Options of every loader: where to look (and whether to download). */
export interface LoadOptions extends FindOptions {
  /** The data set's file (or folder, for names, sentiment and UD) directly; skips the search. */
  readonly path?: string;
}

/** A path (to the data set's file or folder), or options. */
export type PathOrOptions<T extends LoadOptions = LoadOptions> = string | T;

function options<T extends LoadOptions>(arg: PathOrOptions<T> | undefined): T {
  return (typeof arg === 'string' ? { path: arg } : (arg ?? {})) as T;
}

async function isDirectory(name: DatasetName, path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DataNotFoundError(name, `data set ${name}: cannot read ${path} (${why})`, [path], {
      cause: error,
    });
  }
}

/** The data set's folder, or the file(s) under `path`. */
async function locate(name: DatasetName, o: LoadOptions): Promise<{ dir: string; files?: string[] }> {
  if (o.path === undefined) return { dir: await findDataset(name, o) };
  if (await isDirectory(name, o.path)) return { dir: o.path };
  const slash = Math.max(o.path.lastIndexOf('/'), o.path.lastIndexOf('\\'));
  return { dir: slash < 0 ? '.' : o.path.slice(0, slash) || '/', files: [o.path.slice(slash + 1)] };
}

/** A data file's bytes; a missing or unreadable file is a DataNotFoundError naming it. */
async function readData(name: DatasetName, path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DataNotFoundError(name, `data set ${name}: cannot read ${path} (${why})`, [path], {
      cause: error,
    });
  }
}

/** The files of a multi-file data set in `dir` that `keep` accepts, sorted; none is a DataNotFoundError. */
async function dataFiles(
  name: DatasetName,
  dir: string,
  files: string[] | undefined,
  keep: (f: string) => boolean,
  want: string,
): Promise<string[]> {
  let listed = files;
  if (listed === undefined) {
    try {
      listed = (await readdir(dir)).sort();
    } catch (error) {
      throw new DataNotFoundError(
        name,
        `data set ${name}: cannot list ${dir} (${(error as NodeJS.ErrnoException).code})`,
        [dir],
        { cause: error },
      );
    }
  }
  const kept = listed.filter(keep);
  if (kept.length === 0) {
    const what =
      files === undefined
        ? `expected ${want}, found none in ${dir}`
        : `expected ${want}, received ${join(dir, files[0]!)}`;
    throw new DataNotFoundError(name, `data set ${name}: ${what}`, [dir]);
  }
  return kept;
}

async function singleFile(name: DatasetName, o: LoadOptions): Promise<{ bytes: Uint8Array; source: string }> {
  const { dir, files } = await locate(name, o);
  const source = join(dir, files?.[0] ?? DATASETS[name].files[0]!);
  return { bytes: await readData(name, source), source };
}

/**
 * Tiny Shakespeare as one string (1,115,394 characters, 65 distinct).
 *
 * @example
 * const text = await loadTinyShakespeare();
 * const { train, valid } = splitText(text); // first 90% / last 10%
 */
export async function loadTinyShakespeare(arg?: PathOrOptions): Promise<string> {
  const { bytes, source } = await singleFile('tinyshakespeare', options(arg));
  return parseText(bytes, { source, format: 'tiny Shakespeare' });
}

/**
 * The names data set: 19,950 names in 20 languages (file name = label), labels sorted.
 *
 * @example
 * const { items, labels } = await loadNames(); // items[0] = { text: 'Aamer', label: 'Arabic' }
 */
export async function loadNames(arg?: PathOrOptions<LoadOptions & ParseNamesOptions>): Promise<NamesData> {
  const o = options(arg);
  const { dir, files } = await locate('names', o);
  const names = await dataFiles(
    'names',
    dir,
    files,
    (f) => f.endsWith('.txt'),
    'names files (<Language>.txt)',
  );
  const inputs = await Promise.all(
    names.map(async (f) => ({ name: join(dir, f), content: await readData('names', join(dir, f)) })),
  );
  return parseNames(inputs, o);
}

/**
 * English-French sentence pairs (5,000 in shared/data), optionally normalised as the PyTorch tutorial does.
 *
 * @example
 * const pairs = await loadEngFra({ normalize: true }); // [{ source: 'go .', target: 'va !' }, ...]
 */
export async function loadEngFra(
  arg?: PathOrOptions<LoadOptions & Omit<ParseEngFraOptions, 'source'>>,
): Promise<SentencePair[]> {
  const o = options(arg);
  const { bytes, source } = await singleFile('eng-fra', o);
  return parseEngFra(bytes, { source, normalize: o.normalize ?? false });
}

/**
 * Labelled sentences from amazon_cells, imdb and yelp (3,000; 500 positive and 500 negative each).
 *
 * @example
 * const examples = await loadSentiment(); // [{ text: 'So there is no way ...', label: 0, source: 'amazon_cells' }, ...]
 */
export async function loadSentiment(arg?: PathOrOptions): Promise<SentimentExample[]> {
  const { dir, files } = await locate('sentiment', options(arg));
  const names = await dataFiles(
    'sentiment',
    dir,
    files,
    (f) => f.endsWith('_labelled.txt'),
    '<source>_labelled.txt files',
  );
  return parseSentiment(
    await Promise.all(
      names.map(async (f) => ({ name: join(dir, f), content: await readData('sentiment', join(dir, f)) })),
    ),
  );
}

/** A UD treebank's splits: those present, and the sentences of each loaded split. */
export interface UdTreebank {
  /** Splits whose files exist, in the order train, dev, test. */
  readonly splits: UdSplit[];
  readonly train?: UdSentence[];
  readonly dev?: UdSentence[];
  readonly test?: UdSentence[];
}

/**
 * UD English-EWT: 12,544 / 2,001 / 2,077 sentences of `{ form, upos }` (train / dev / test).
 * `splits` limits which splits are read (train is 14 MB); `splits` in the result says which exist.
 *
 * @example
 * const { train, dev, test } = await loadUdEnglishEwt();
 * const { dev } = await loadUdEnglishEwt({ splits: ['dev'] });
 */
export async function loadUdEnglishEwt(
  arg?: PathOrOptions<LoadOptions & { readonly splits?: readonly UdSplit[] }>,
): Promise<UdTreebank> {
  const o = options(arg);
  const { dir, files } = await locate('ud-english-ewt', o);
  const present = new Map<UdSplit, string>();
  const conllu = await dataFiles(
    'ud-english-ewt',
    dir,
    files,
    (f) => udSplitOf(f) !== undefined,
    'CoNLL-U files named *-train.conllu, *-dev.conllu or *-test.conllu',
  );
  for (const f of conllu) {
    const split = udSplitOf(f);
    if (split !== undefined && !present.has(split)) present.set(split, f);
  }
  const splits = UD_SPLITS.filter((s) => present.has(s));
  const wanted = splits.filter((s) => o.splits === undefined || o.splits.includes(s));
  const out: { splits: UdSplit[] } & Partial<Record<UdSplit, UdSentence[]>> = { splits };
  for (const s of wanted) {
    const source = join(dir, present.get(s)!);
    out[s] = parseUd(await readData('ud-english-ewt', source), { source });
  }
  return out;
}

/**
 * JSB chorales (229 / 76 / 77 at quarter-note resolution) as time steps of MIDI pitches.
 *
 * @example
 * const { train } = await loadJsbChorales();
 * const roll = pianoRoll(train[0]); // [time * 88] multi-hot
 */
export async function loadJsbChorales(arg?: PathOrOptions): Promise<JsbChorales> {
  const { bytes, source } = await singleFile('jsb-chorales', options(arg));
  return parseJsbChorales(bytes, { source });
}
