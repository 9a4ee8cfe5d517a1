/**
 * Node.js file helpers (`@strand/tokenizers/node`). The rest of the package imports no `node:` module and
 * runs in browsers; only this entry point touches the file system.
 */
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { BPETokenizer, type TiktokenOptions } from './bpe-tokenizer.js';
import type { EncodeOptions } from './encode.js';
import { TokenizerFormatError } from './errors.js';
import { toHuggingFace, toTiktoken } from './huggingface-export.js';
import { parseJSONText } from './json-text.js';
import { TOKENIZER_FORMAT } from './pipeline.js';
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
 * Writes a tokenizer atomically: to a temporary file beside `path`, then renamed over it, so a crash never
 * leaves a half-written file. Formats: Strand JSON (default), HF tokenizer.json, or `.tiktoken` ranks.
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
  const temporary = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Reads a tokenizer file: Strand JSON, HF tokenizer.json, or a `.tiktoken` rank file (which needs
 * `options.pattern`). Format errors name the file, and the line and column where they can.
 */
export async function loadTokenizer(
  path: string,
  options: Omit<TiktokenOptions, 'source'> = {},
): Promise<Tokenizer> {
  const text = await readFile(path, 'utf8');
  if (path.endsWith('.tiktoken') || !text.trimStart().startsWith('{')) {
    return BPETokenizer.fromTiktoken(text, { ...options, source: path });
  }
  const json = parseJSONText(text, path) as Record<string, unknown>;
  try {
    if (json['format'] === TOKENIZER_FORMAT) return Tokenizer.fromJSON(json);
    if (json['model'] !== undefined) return BPETokenizer.fromHuggingFace(json, path);
    throw new TokenizerFormatError(
      `expected a Strand tokenizer (format "${TOKENIZER_FORMAT}") or a HuggingFace tokenizer.json (with "model")`,
    );
  } catch (error) {
    if (error instanceof TokenizerFormatError) throw error.withSource(path);
    throw error;
  }
}
