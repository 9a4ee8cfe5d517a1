import { ConfigError } from '@strand/base';
import type { KeyedVectors } from '../keyed-vectors.js';

export type VectorFormat = 'glove' | 'word2vec' | 'word2vec-binary';

export const VECTOR_FORMATS: readonly VectorFormat[] = ['glove', 'word2vec', 'word2vec-binary'];

export function checkFormat(format: string): VectorFormat {
  if (!(VECTOR_FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError(
      `format must be one of ${VECTOR_FORMATS.join(', ')}; received ${JSON.stringify(format)}`,
      'format',
    );
  }
  return format as VectorFormat;
}

/** The shortest decimal that reads back as the same float32 (at most 9 significant digits). */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v) || v === 0) return String(v === 0 ? 0 : v);
  for (let p = 6; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

function checkWord(word: string, row: number): void {
  if (word === '' || /\s/.test(word)) {
    throw new ConfigError(
      `word ${row} (${JSON.stringify(word)}) cannot be written: vector file words must be non-empty and contain no whitespace`,
      'words',
    );
  }
}

const ROWS_PER_CHUNK = 1024;

/**
 * A vector file as a stream of chunks (text for GloVe and word2vec text, bytes for word2vec binary),
 * so a writer never holds the whole file in memory. Binary vectors end with a newline, as word2vec's own output.
 */
export function* vectorChunks(kv: KeyedVectors, format: VectorFormat): Generator<string | Uint8Array> {
  const { dim, vectors, words } = kv;
  words.forEach(checkWord);
  if (format === 'word2vec' || format === 'word2vec-binary') yield `${words.length} ${dim}\n`;
  const encoder = new TextEncoder();
  for (let start = 0; start < words.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(words.length, start + ROWS_PER_CHUNK);
    if (format === 'word2vec-binary') {
      const parts: Uint8Array[] = [];
      let size = 0;
      for (let i = start; i < end; i++) {
        const w = encoder.encode(`${words[i]} `);
        parts.push(w);
        size += w.length + dim * 4 + 1;
      }
      const out = new Uint8Array(size);
      const view = new DataView(out.buffer);
      let at = 0;
      for (let i = start; i < end; i++) {
        const w = parts[i - start]!;
        out.set(w, at);
        at += w.length;
        for (let d = 0; d < dim; d++, at += 4) view.setFloat32(at, vectors[i * dim + d]!, true);
        out[at++] = 0x0a;
      }
      yield out;
    } else {
      const lines: string[] = [];
      for (let i = start; i < end; i++) {
        const values: string[] = [];
        for (let d = 0; d < dim; d++) values.push(formatFloat32(vectors[i * dim + d]!));
        lines.push(`${words[i]} ${values.join(' ')}\n`);
      }
      yield lines.join('');
    }
  }
}
