/**
 * Node.js file helpers (`@strand/tokenizers/node`). The rest of the package imports no `node:` module and
 * runs in browsers; only this entry point touches the file system.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeUtf8 } from '@strand/base';
import { writeFileAtomic } from '@strand/base/node';
import { BPETokenizer, type TiktokenOptions } from './bpe-tokenizer.js';
import type { EncodeOptions } from './encode.js';
import { FormatError, TOKENIZER_DOCUMENT, tokenizerError } from './errors.js';
import { HF_FORMAT } from './huggingface.js';
import { toHuggingFace, toTiktoken } from './huggingface-export.js';
import { parseJSONText } from './json-text.js';
import { TOKENIZER_FORMAT } from './pipeline.js';
import { TIKTOKEN_FORMAT } from './tiktoken.js';
import { Tokenizer } from './tokenizer.js';

export interface EncodeFileOptions extends EncodeOptions {
  /** Bytes read per chunk. Default 1 MiB. */
  readonly chunkSize?: number;
}

/**
 * Encodes a UTF-8 file chunk by chunk, yielding ids as they become final. Everything yielded, concatenated,
 * equals `tokenizer.encodeIds(readFileSync(path, 'utf8'))`, while memory stays about one chunk.
 * @example for await (const ids of encodeFile(tokenizer, 'input.txt')) total += ids.length;
 */
export async function* encodeFile(
  tokenizer: Tokenizer,
  path: string,
  options: EncodeFileOptions = {},
): AsyncGenerator<number[], void, undefined> {
  const { chunkSize = 1 << 20, ...encodeOptions } = options;
  // With an encoding set, the stream decodes UTF-8 across chunk boundaries itself.
  const chunks = createReadStream(path, { encoding: 'utf8', highWaterMark: chunkSize });
  yield* tokenizer.encodeStream(chunks as AsyncIterable<string>, encodeOptions);
}

export type TokenizerFileFormat = 'strand' | 'huggingface' | 'tiktoken';

/**
 * Writes a tokenizer atomically with base's `writeFileAtomic` (a hidden temporary file beside `path`,
 * fsync, rename), so a crash never leaves a half-written file. Formats: Strand JSON (default),
 * HF tokenizer.json, or `.tiktoken` ranks.
 */
export async function saveTokenizer(
  tokenizer: Tokenizer,
  path: string,
  { format = 'strand' }: { readonly format?: TokenizerFileFormat } = {},
): Promise<void> {
  const text =
    format === 'tiktoken'
      ? toTiktoken(tokenizer)
      : `${JSON.stringify(format === 'huggingface' ? toHuggingFace(tokenizer) : tokenizer.toJSON(), null, 1)}\n`;
  await writeFileAtomic(path, text);
}

export interface LoadTokenizerOptions extends Omit<TiktokenOptions, 'source'> {
  /** Replace invalid UTF-8 with U+FFFD instead of failing. Default false. */
  readonly replaceInvalidUtf8?: boolean;
}

/**
 * Reads a tokenizer file: Strand JSON, HF tokenizer.json, or a `.tiktoken` rank file (which needs
 * `options.pattern`). Only base `StrandError`s leave it: format errors are FormatErrors naming the
 * file and the line and column (or byte offset for invalid UTF-8) where they can.
 */
export async function loadTokenizer(path: string, options: LoadTokenizerOptions = {}): Promise<Tokenizer> {
  const { replaceInvalidUtf8 = false, ...tiktoken } = options;
  const bytes = await readFile(path);
  return parseTokenizerFile(bytes, path, tiktoken, replaceInvalidUtf8);
}

/** The bytes of a tokenizer file of any supported format (what `loadTokenizer` does after reading). */
export function parseTokenizerFile(
  bytes: Uint8Array,
  source: string,
  options: Omit<TiktokenOptions, 'source'> = {},
  replaceInvalidUtf8 = false,
): Tokenizer {
  const tiktoken = source.endsWith('.tiktoken');
  const text = decodeUtf8(bytes, {
    format: tiktoken ? TIKTOKEN_FORMAT : TOKENIZER_DOCUMENT,
    source,
    replaceInvalid: replaceInvalidUtf8,
  });
  if (tiktoken || !text.trimStart().startsWith('{')) {
    return BPETokenizer.fromTiktoken(text, { ...options, source });
  }
  const json = parseJSONText(text, source) as Record<string, unknown>;
  try {
    if (json['format'] === TOKENIZER_FORMAT) return Tokenizer.fromJSON(json);
    if (json['model'] !== undefined) return BPETokenizer.fromHuggingFace(json, source);
    throw tokenizerError(
      `expected a Strand tokenizer (format "${TOKENIZER_FORMAT}") or a HuggingFace ${HF_FORMAT} (with "model")`,
    );
  } catch (error) {
    if (error instanceof FormatError) throw error.withSource(source);
    throw error;
  }
}
