import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { writeFileAtomic } from '@strand/base/node';
import { checkFormat, type VectorFormat, vectorChunks } from '../io/format.js';
import { countLines, type ReadVectorsOptions, vectorParser } from '../io/vectors.js';
import type { KeyedVectors } from '../keyed-vectors.js';

const CHUNK_BYTES = 1 << 20;

async function countFileLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }))
    n += countLines(chunk as Buffer);
  return n;
}

/**
 * Reads a vector file chunk by chunk into one preallocated Float32Array (word2vec formats size it
 * from the header; for GloVe a first pass counts the lines), so the file is never in memory whole.
 * Errors name the file and the line (text) or byte offset (binary).
 *
 * @example
 * const kv = await readVectorsFile('glove.6B.100d.txt', { format: 'glove' });
 */
export async function readVectorsFile(
  path: string,
  options: Omit<ReadVectorsOptions, 'source'> & { readonly source?: string },
): Promise<KeyedVectors> {
  const format = checkFormat(options.format);
  const capacity = format === 'glove' ? (await countFileLines(path)) + 1 : undefined;
  const { size } = await stat(path);
  const parser = vectorParser({
    source: path,
    byteLength: size,
    ...options,
    ...(capacity !== undefined && { capacity }),
  });
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }))
    parser.push(chunk as Buffer);
  return parser.end();
}

/**
 * Writes vectors atomically (a failed write leaves any previous file intact), streamed in chunks.
 *
 * @example
 * await writeVectorsFile('vectors.bin', kv, { format: 'word2vec-binary' });
 */
export async function writeVectorsFile(
  path: string,
  kv: KeyedVectors,
  { format }: { format: VectorFormat },
): Promise<void> {
  await writeFileAtomic(path, vectorChunks(kv, checkFormat(format)));
}
