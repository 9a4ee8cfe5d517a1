/**
 * Where each data set lives on disk (the folder layout of `shared/data`, which keeps the original
 * file names) and where it comes from when it has to be downloaded.
 */
import { parseEngFra } from '../readers/eng-fra.js';
import { parseJsbChorales } from '../readers/jsb-chorales.js';
import { parseNamesFile } from '../readers/names.js';
import { parseSentimentFile } from '../readers/sentiment.js';
import { parseText } from '../readers/shakespeare.js';
import { parseUd } from '../readers/ud.js';

export const DATASET_NAMES = [
  'tinyshakespeare',
  'names',
  'eng-fra',
  'sentiment',
  'ud-english-ewt',
  'jsb-chorales',
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** One download: a single file, or a zip archive from which some entries are kept. */
export type Download =
  | {
      readonly kind: 'file';
      readonly url: string;
      readonly to: string;
      /** The file's SHA-256 (hex), where the original is pinned enough to know it. */
      readonly sha256?: string;
    }
  | {
      readonly kind: 'zip';
      readonly url: string;
      /** The file name (inside the data set's folder) to store an entry under, or undefined to skip it. */
      readonly extract: (entry: string) => string | undefined;
    };

export interface DatasetSpec {
  readonly name: DatasetName;
  /** Folder inside the data directory. */
  readonly folder: string;
  /** Files that must all be there (names: at least one `*.txt`; UD: at least one split). */
  readonly files: readonly string[];
  readonly presence: 'all' | 'any' | 'txt';
  readonly downloads: readonly Download[];
  /** Throws a FormatError when a downloaded file is not what the data set's reader accepts. */
  readonly check: (file: string, bytes: Uint8Array, source: string) => void;
}

const PYTORCH_TUTORIAL_ZIP = 'https://download.pytorch.org/tutorial/data.zip';
// A UD release tag, so the files do not change under a cache (shared/data has 12,544 / 2,001 / 2,077 sentences).
const UD_EWT = 'https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.13';

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const isJunk = (entry: string): boolean => entry.startsWith('__MACOSX/') || baseName(entry).startsWith('._');

export const DATASETS: Readonly<Record<DatasetName, DatasetSpec>> = {
  tinyshakespeare: {
    name: 'tinyshakespeare',
    folder: 'tinyshakespeare',
    files: ['input.txt'],
    presence: 'all',
    downloads: [
      {
        kind: 'file',
        url: 'https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt',
        to: 'input.txt',
        sha256: '86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed',
      },
    ],
    check: (_file, bytes, source) => void parseText(bytes, { source, format: 'tiny Shakespeare' }),
  },
  names: {
    name: 'names',
    folder: 'names',
    files: ['<Language>.txt'],
    presence: 'txt',
    downloads: [
      {
        kind: 'zip',
        url: PYTORCH_TUTORIAL_ZIP,
        extract: (e) => (/^data\/names\/[^/]+\.txt$/.test(e) && !isJunk(e) ? baseName(e) : undefined),
      },
    ],
    check: (file, bytes, source) => void parseNamesFile(bytes, { label: file, source }),
  },
  'eng-fra': {
    name: 'eng-fra',
    folder: 'eng-fra',
    files: ['eng-fra.txt'],
    presence: 'all',
    downloads: [
      {
        kind: 'zip',
        url: PYTORCH_TUTORIAL_ZIP,
        extract: (e) => (e === 'data/eng-fra.txt' ? 'eng-fra.txt' : undefined),
      },
    ],
    check: (_file, bytes, source) => void parseEngFra(bytes, { source }),
  },
  sentiment: {
    name: 'sentiment',
    folder: 'sentiment',
    files: ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt'],
    presence: 'all',
    downloads: [
      {
        kind: 'zip',
        url: 'https://archive.ics.uci.edu/static/public/331/sentiment+labelled+sentences.zip',
        extract: (e) =>
          /(^|\/)(amazon_cells|imdb|yelp)_labelled\.txt$/.test(e) && !isJunk(e) ? baseName(e) : undefined,
      },
    ],
    check: (_file, bytes, source) => void parseSentimentFile(bytes, { source }),
  },
  'ud-english-ewt': {
    name: 'ud-english-ewt',
    folder: 'ud-english-ewt',
    files: ['en_ewt-ud-train.conllu', 'en_ewt-ud-dev.conllu', 'en_ewt-ud-test.conllu'],
    presence: 'any',
    downloads: ['train', 'dev', 'test'].map((split) => ({
      kind: 'file' as const,
      url: `${UD_EWT}/en_ewt-ud-${split}.conllu`,
      to: `en_ewt-ud-${split}.conllu`,
    })),
    check: (_file, bytes, source) => void parseUd(bytes, { source }),
  },
  'jsb-chorales': {
    name: 'jsb-chorales',
    folder: 'jsb-chorales',
    files: ['jsb-chorales-quarter.json'],
    presence: 'all',
    downloads: [
      {
        kind: 'file',
        url: 'https://raw.githubusercontent.com/czhuang/JSB-Chorales-dataset/master/jsb-chorales-quarter.json',
        to: 'jsb-chorales-quarter.json',
        sha256: '2db9329f1881a1d3f49703ec556bf1d6f84b4f6c1d702c156536e93cf31e1c91',
      },
    ],
    check: (_file, bytes, source) => void parseJsbChorales(bytes, { source }),
  },
};
