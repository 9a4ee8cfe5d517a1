/** Formats a shape for messages: `[2, 3]`, with `null` for "any size" shown as `?`. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * A tensor of the wrong shape. `expected` is a shape (null = any size on that axis)
 * or a sentence ("rank >= 2", "[n, n] (square)"); `received` is the shape that came.
 *
 * @example
 * throw new ShapeError('linear input', [null, 4], x.shape);
 * // ShapeError: linear input: expected shape [?, 4], received [2, 3]
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  readonly what: string;
  readonly expected: readonly (number | null)[] | string;
  readonly received: readonly number[];
  constructor(what: string, expected: readonly (number | null)[] | string, received: readonly number[]) {
    const want = typeof expected === 'string' ? expected : formatShape(expected);
    super(`${what}: expected shape ${want}, received ${formatShape(received)}`);
    this.what = what;
    this.expected = expected;
    this.received = received;
  }
}

/** An invalid option or configuration value; `field` names the option when there is one. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

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
 * Weights that do not fit a parameter tree. Lists every missing, unexpected, wrong-shape
 * and wrong-dtype name (the message shows the first 20 of each; the fields hold all).
 */
export class WeightsError extends Error {
  override readonly name = 'WeightsError';
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
    super(`Weights${where} do not match the parameters; ${parts.join('; ')}`);
    this.missing = missing;
    this.unexpected = unexpected;
    this.wrongShape = wrongShape;
    this.wrongDtype = wrongDtype;
    this.file = details.file;
  }
}

/**
 * A safetensors byte stream that is truncated or corrupt. `file` names the file when known,
 * `tensor` the entry at fault when there is one.
 */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  readonly file: string | undefined;
  readonly tensor: string | undefined;
  constructor(
    reason: string,
    where: { readonly file?: string | undefined; readonly tensor?: string | undefined } = {},
  ) {
    const prefix =
      where.file === undefined ? 'Invalid safetensors data' : `Invalid safetensors file ${where.file}`;
    const entry = where.tensor === undefined ? '' : ` (tensor '${where.tensor}')`;
    super(`${prefix}${entry}: ${reason}`);
    this.file = where.file;
    this.tensor = where.tensor;
  }
}
