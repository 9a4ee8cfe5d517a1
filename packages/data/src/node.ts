/** Node-only: find the data sets on disk (or download them into a cache) and load them. */
export {
  type DataDirOptions,
  type DataDirOrigin,
  dataDirCandidates,
  defaultCacheDir,
  type FindOptions,
  findDataset,
  hasDataset,
} from './node/data-dir.js';
export {
  DATASET_NAMES,
  DATASETS,
  type DatasetName,
  type DatasetSpec,
  type Download,
} from './node/datasets.js';
export { type DownloadOptions, type DownloadProgress, downloadDataset, mirrored } from './node/download.js';
export {
  type LoadOptions,
  loadEngFra,
  loadJsbChorales,
  loadNames,
  loadSentiment,
  loadTinyShakespeare,
  loadUdEnglishEwt,
  type PathOrOptions,
  type UdTreebank,
} from './node/loaders.js';
