/**
 * Core's own error cases, on base's one hierarchy (see @strand/base's README for the codes):
 * `WeightsError` (a StrandError, code ERR_WEIGHTS) and `SafetensorsError` (a FormatError).
 * `ConfigError`, `ShapeError` and `formatShape` come from @strand/base; core re-exports them.
 */
import { FormatError, formatShape, StrandError } from '@strand/base';

export { ConfigError, formatShape, ShapeError } from '@strand/base';

export interface WrongShape {
  readonly name: string;
  readonly expected: readonly number[];
  readonly received: readonly number[];
}

export interface WrongDtype {
  readonly name: string;
  readonly expected: string;
  readonly received: string;
}

export interface WeightsErrorDetails {
  /** Names the parameter tree has and the weights lack. */
  readonly missing?: readonly string[];
  /** Names the weights have and the parameter tree lacks. */
  readonly unexpected?: readonly string[];
  readonly wrongShape?: readonly WrongShape[];
  readonly wrongDtype?: readonly WrongDtype[];
  /** The file the weights came from, when there is one. */
  readonly file?: string;
}

const LISTED = 20;

function list(names: readonly string[]): string {
  const shown = names.slice(0, LISTED).join(', ');
  return names.length > LISTED ? `${shown}, ... (${names.length - LISTED} more)` : shown;
}

/**
 * Weights that do not fit a parameter tree (code `ERR_WEIGHTS`). Lists every missing, unexpected,
 * wrong-shape and wrong-dtype name (the message shows the first 20 of each; the fields hold all).
 */
export class WeightsError extends StrandError {
  override name = 'WeightsError';
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly wrongShape: readonly WrongShape[];
  readonly wrongDtype: readonly WrongDtype[];
  readonly file: string | undefined;
  constructor(details: WeightsErrorDetails) {
    const missing = details.missing ?? [];
    const unexpected = details.unexpected ?? [];
    const wrongShape = details.wrongShape ?? [];
    const wrongDtype = details.wrongDtype ?? [];
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing ${missing.length}: ${list(missing)}`);
    if (unexpected.length > 0) parts.push(`unexpected ${unexpected.length}: ${list(unexpected)}`);
    if (wrongShape.length > 0) {
      const items = wrongShape.map(
        (w) => `${w.name} (expected ${formatShape(w.expected)}, received ${formatShape(w.received)})`,
      );
      parts.push(`wrong shape ${wrongShape.length}: ${list(items)}`);
    }
    if (wrongDtype.length > 0) {
      const items = wrongDtype.map((w) => `${w.name} (expected ${w.expected}, received ${w.received})`);
      parts.push(`wrong dtype ${wrongDtype.length}: ${list(items)}`);
    }
    const where = details.file === undefined ? '' : ` in ${details.file}`;
    super('ERR_WEIGHTS', `Weights${where} do not match the parameters; ${parts.join('; ')}`);
    this.missing = missing;
    this.unexpected = unexpected;
    this.wrongShape = wrongShape;
    this.wrongDtype = wrongDtype;
    this.file = details.file;
  }
}

export interface SafetensorsWhere {
  readonly file?: string | undefined;
  readonly tensor?: string | undefined;
  /** Byte offset in the file of the problem, when one byte is at fault. */
  readonly byteOffset?: number | undefined;
}

/**
 * A safetensors byte stream that is truncated, corrupt or beyond sane limits: a FormatError
 * (format 'safetensors', code ERR_FORMAT) whose `file` (= `source`) names the file when known and
 * `tensor` (= `path`) the entry at fault when there is one.
 */
export class SafetensorsError extends FormatError {
  override name = 'SafetensorsError';
  readonly file: string | undefined;
  readonly tensor: string | undefined;
  constructor(reason: string, where: SafetensorsWhere = {}, options?: { readonly cause?: unknown }) {
    super(
      'safetensors',
      reason,
      { source: where.file, path: where.tensor, byteOffset: where.byteOffset },
      options,
    );
    this.file = where.file;
    this.tensor = where.tensor;
    this.message = safetensorsMessage(reason, where.file, where.tensor);
  }

  override withSource(source: string): SafetensorsError {
    if (this.file !== undefined) return this;
    const copy = new SafetensorsError(
      this.reason,
      { file: source, tensor: this.tensor, byteOffset: this.byteOffset },
      { cause: this.cause },
    );
    copy.stack = this.stack;
    return copy;
  }
}

function safetensorsMessage(reason: string, file: string | undefined, tensor: string | undefined): string {
  const prefix = file === undefined ? 'Invalid safetensors data' : `Invalid safetensors file ${file}`;
  const entry = tensor === undefined ? '' : ` (tensor '${tensor}')`;
  return `${prefix}${entry}: ${reason}`;
}
