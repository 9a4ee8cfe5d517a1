/** The data package's errors: subclasses of @strand/base's StrandError (one hierarchy). */
import { StrandError, type StrandErrorOptions } from '@strand/base';

/**
 * A data set that is not on disk and could not be downloaded. The message names the folders
 * looked in, the file to create, and the variable (`STRAND_DATA_DIR`) that points at a data folder.
 */
export class DataNotFoundError extends StrandError {
  override name = 'DataNotFoundError';
  /** The data set's name, e.g. `'tinyshakespeare'`. */
  readonly dataset: string;
  /** Folders looked in, in order. */
  readonly searched: readonly string[];
  constructor(dataset: string, message: string, searched: readonly string[], options?: StrandErrorOptions) {
    super('ERR_DATA_NOT_FOUND', message, options);
    this.dataset = dataset;
    this.searched = searched;
  }
}

/** A download that failed: network error, HTTP status, size limit or timeout. */
export class DownloadError extends StrandError {
  override name = 'DownloadError';
  readonly url: string;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  constructor(url: string, reason: string, status?: number, options?: StrandErrorOptions) {
    super('ERR_DOWNLOAD', `download of ${url} failed: ${reason}`, options);
    this.url = url;
    this.status = status;
  }
}
