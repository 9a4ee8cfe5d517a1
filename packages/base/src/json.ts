/**
 * Strict readers for untrusted JSON and UTF-8. Every loader in Strand goes through these, so a
 * hostile file gives a FormatError (never a raw SyntaxError, a stack overflow on deep nesting, or
 * text silently repaired with U+FFFD).
 */
import { describeValue, FormatError } from './errors.js';

export interface ReadOptions {
  /** The format's name for messages: "tokenizer.json", "vocabulary JSON". */
  readonly format: string;
  /** File name or label, when known. */
  readonly source?: string | undefined;
}

export interface JsonOptions extends ReadOptions {
  /** Deepest nesting of arrays and objects accepted. Default 64. */
  readonly maxDepth?: number;
}

/**
 * `JSON.parse` with the nesting depth checked first (without recursion, so a file of a million
 * `[` fails fast instead of overflowing the stack) and syntax errors turned into a FormatError
 * with line and column.
 */
export function parseJson(text: string, options: JsonOptions): unknown {
  const maxDepth = options.maxDepth ?? 64;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) {
        throw new FormatError(options.format, `nesting deeper than ${maxDepth} levels`, {
          source: options.source,
          ...lineColumn(text, i),
        });
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message names no position for some errors and quotes the whole text for others: find the
    // first error ourselves (after JSON.parse failed, so valid files never pay for this scan).
    const found = findJsonSyntaxError(text) ?? { offset: text.length, reason: 'invalid JSON' };
    throw new FormatError(
      options.format,
      `invalid JSON: ${found.reason}`,
      { source: options.source, ...lineColumn(text, found.offset) },
      { cause: error },
    );
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/**
 * The UTF-16 offset and a description of the first syntax error in `text` (RFC 8259), or undefined
 * when it is valid JSON. Iterative (an explicit stack), so it runs on any nesting depth.
 */
export function findJsonSyntaxError(text: string): { offset: number; reason: string } | undefined {
  const stack: number[] = []; // 0x5b '[' or 0x7b '{' per open container
  let i = 0;
  const skip = () => {
    WHITESPACE.lastIndex = i;
    WHITESPACE.exec(text);
    i = WHITESPACE.lastIndex;
  };
  const describe = (at: number) => (at >= text.length ? 'the end of the input' : JSON.stringify(text[at]));
  const err = (expected: string) => ({ offset: i, reason: `expected ${expected}, found ${describe(i)}` });
  /** Reads a string at i (text[i] === '"'); returns an error or undefined. */
  const readString = (): { offset: number; reason: string } | undefined => {
    i++;
    for (;;) {
      if (i >= text.length) return { offset: i, reason: 'unterminated string' };
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return { offset: i, reason: 'control character in string (escape it)' };
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            return { offset: i, reason: 'invalid \\u escape' };
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return { offset: i, reason: 'invalid escape in string' };
      } else i++;
    }
  };
  /** Reads a scalar or opens a container at i. */
  const readValue = (): { offset: number; reason: string } | 'open' | undefined => {
    const c = text[i];
    if (c === '[' || c === '{') {
      stack.push(text.charCodeAt(i));
      i++;
      return 'open';
    }
    if (c === '"') return readString();
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return undefined;
      }
    }
    NUMBER.lastIndex = i;
    if (NUMBER.exec(text) !== null) {
      i = NUMBER.lastIndex;
      return undefined;
    }
    return err('a value');
  };

  let state: 'value' | 'after' | 'key' | 'firstKey' | 'firstValue' = 'value';
  for (;;) {
    skip();
    if (state === 'value' || state === 'firstValue') {
      if (state === 'firstValue' && text[i] === ']') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      const r = readValue();
      if (r === 'open') state = stack[stack.length - 1] === 0x5b ? 'firstValue' : 'firstKey';
      else if (r !== undefined) return r;
      else state = 'after';
    } else if (state === 'key' || state === 'firstKey') {
      if (state === 'firstKey' && text[i] === '}') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      if (text[i] !== '"') return err('a property name in double quotes');
      const r = readString();
      if (r !== undefined) return r;
      skip();
      if (text[i] !== ':') return err("':' after the property name");
      i++;
      state = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i < text.length ? err('the end of the input') : undefined;
      const close = top === 0x5b ? ']' : '}';
      if (text[i] === ',') {
        i++;
        state = top === 0x5b ? 'value' : 'key';
      } else if (text[i] === close) {
        stack.pop();
        i++;
      } else return err(`',' or '${close}'`);
    }
  }
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

export interface Utf8Options extends ReadOptions {
  /** Replace invalid sequences with U+FFFD instead of failing. Default false. */
  readonly replaceInvalid?: boolean;
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Decodes UTF-8 strictly: invalid bytes are a FormatError naming the first bad byte's offset. */
export function decodeUtf8(bytes: Uint8Array, options: Utf8Options): string {
  if (options.replaceInvalid) return lenientDecoder.decode(bytes);
  try {
    return fatalDecoder.decode(bytes);
  } catch (error) {
    throw new FormatError(
      options.format,
      'invalid UTF-8',
      { source: options.source, byteOffset: firstInvalidUtf8(bytes) },
      { cause: error },
    );
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence, or -1 when all is valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let n: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    if (i + n >= bytes.length) return i; // truncated sequence
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A decimal number, strictly: no hex (`0x1F`), no `Infinity`/`NaN`, no empty string, no trailing
 * garbage, and a finite result (`1e999` is rejected). Returns undefined when `text` is not one.
 */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Type checks for parsed JSON that name the path of the offending value. */
export function jsonChecker(options: ReadOptions) {
  const fail = (path: string, expected: string, value: unknown): never => {
    throw new FormatError(options.format, `expected ${expected}, got ${describeValue(value)}`, {
      source: options.source,
      path,
    });
  };
  return {
    fail,
    object(value: unknown, path: string): Record<string, unknown> {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
      return value as Record<string, unknown>;
    },
    array(value: unknown, path: string): readonly unknown[] {
      if (!Array.isArray(value)) fail(path, 'an array', value);
      return value as readonly unknown[];
    },
    string(value: unknown, path: string): string {
      if (typeof value !== 'string') fail(path, 'a string', value);
      return value as string;
    },
    boolean(value: unknown, path: string): boolean {
      if (typeof value !== 'boolean') fail(path, 'a boolean', value);
      return value as boolean;
    },
    /** A finite number (JSON has no NaN; this also rejects numbers that overflowed to Infinity). */
    number(value: unknown, path: string): number {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number', value);
      return value as number;
    },
    /** A non-negative safe integer (ids, ranks, counts), at most `max`. */
    index(value: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max)
        fail(
          path,
          max === Number.MAX_SAFE_INTEGER ? 'a non-negative integer' : `an integer in [0, ${max}]`,
          value,
        );
      return value as number;
    },
    stringArray(value: unknown, path: string): readonly string[] {
      const array = this.array(value, path);
      for (let i = 0; i < array.length; i++) this.string(array[i], `${path}[${i}]`);
      return array as readonly string[];
    },
  };
}
