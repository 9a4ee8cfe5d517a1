/** An id outside [0, size): names the id, where it was and the valid range. */
export class IdOutOfRangeError extends RangeError {
  override readonly name = 'IdOutOfRangeError';
  constructor(
    readonly what: string,
    readonly id: number,
    /** Flat position of the id in its input. */
    readonly position: number,
    readonly size: number,
  ) {
    const why = Number.isInteger(id)
      ? `is outside [0, ${size - 1}]`
      : `is not an integer (expected 0 .. ${size - 1})`;
    super(`${what}: id ${id} at position ${position} ${why}`);
  }
}

/** A word that the vocabulary or the vectors do not have. */
export class VocabularyError extends Error {
  override readonly name = 'VocabularyError';
  constructor(
    message: string,
    readonly word?: string,
  ) {
    super(message);
  }
}

/** Malformed vector or vocabulary data. Names the file (or source) and the line or byte offset. */
export class VectorFileError extends Error {
  override readonly name = 'VectorFileError';
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly line?: number,
    readonly byteOffset?: number,
  ) {
    const where =
      line !== undefined ? `, line ${line}` : byteOffset !== undefined ? `, byte ${byteOffset}` : '';
    super(`${source}${where}: ${reason}`);
  }
}
