/**
 * Small checks for values that come from JSON. Each names the JSON path of the offending value, so a
 * malformed file fails with `model.vocab[3]: expected a string, got 7` rather than a TypeError later.
 */
import { TokenizerFormatError } from './errors.js';

export function typeName(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `a string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new TokenizerFormatError(`expected ${expected}, got ${typeName(value)}`, { path });
}

export function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as Record<string, unknown>;
}

export function expectArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string', value);
  return value;
}

export function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'a boolean', value);
  return value;
}

/** A non-negative safe integer (ids, ranks, counts). */
export function expectIndex(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(path, 'a non-negative integer', value);
  }
  return value;
}

export function expectStringArray(value: unknown, path: string): readonly string[] {
  const array = expectArray(value, path);
  for (let i = 0; i < array.length; i++) expectString(array[i], `${path}[${i}]`);
  return array as readonly string[];
}

/** The `type` tag of a stage; the caller's exhaustive `switch` rejects unknown tags. */
export function expectTyped(value: unknown, path: string): { readonly type: string } {
  const object = expectObject(value, path);
  expectString(object['type'], `${path}.type`);
  return object as { readonly type: string };
}

/**
 * Called in the `default:` branch of a factory's exhaustive switch. `json` is `never` there, so adding a
 * member to a union without a `case` is a compile error; at run time it rejects tags from foreign files.
 */
export function unknownType(stage: string, json: never, path: string, known: readonly string[]): never {
  // `json` is the whole stage object, or just its `type` for single-member unions.
  const value = json as unknown;
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : value;
  throw new TokenizerFormatError(
    `unknown ${stage} type ${JSON.stringify(type)}; expected one of ${known.map((k) => `'${k}'`).join(', ')}`,
    { path: `${path}.type` },
  );
}
