/**
 * A tokenizer: an immutable pipeline (normalizer -> pre-tokenizer -> model -> post-processor, and a
 * decoder) built from its JSON form. Char, word and BPE tokenizers are all instances of this class;
 * `CharTokenizer`, `WordTokenizer` and `BPETokenizer` only build the JSON.
 */
import { type BatchEncoding, type BatchOptions, encodeBatch } from './batch.js';
import { type EncodeOptions, type Encoding, encode, encodeIds } from './encode.js';
import { FormatError, IdOutOfRangeError } from './errors.js';
import { parseJSONText } from './json-text.js';
import { createPipeline, type Pipeline, type TokenizerJSON } from './pipeline.js';
import type { SpecialToken } from './special-tokens.js';
import { encodeStream, StreamEncoder } from './stream.js';

export interface DecodeOptions {
  /** Leave out special tokens (`<pad>`, `<bos>`, ...). Default false: they appear as their text. */
  readonly skipSpecialTokens?: boolean;
}

export class Tokenizer {
  /** The built stages; read-only. */
  readonly pipeline: Pipeline;
  private readonly json: TokenizerJSON;

  private constructor(json: TokenizerJSON, pipeline: Pipeline) {
    this.json = json;
    this.pipeline = pipeline;
  }

  /**
   * Builds a tokenizer from its JSON form (as written by `toJSON`). Throws a FormatError naming the
   * JSON path of anything malformed.
   */
  static fromJSON(json: TokenizerJSON | unknown): Tokenizer {
    const pipeline = createPipeline(json);
    // Keep a private copy so later changes to the caller's object cannot change `toJSON()`.
    return new Tokenizer(structuredClone(json) as TokenizerJSON, pipeline);
  }

  /** Parses JSON text; syntax errors name `source` (a file name), line and column. */
  static parse(text: string, source?: string): Tokenizer {
    try {
      return Tokenizer.fromJSON(parseJSONText(text, source));
    } catch (error) {
      if (error instanceof FormatError && source !== undefined) throw error.withSource(source);
      throw error;
    }
  }

  /** One more than the largest id. */
  get vocabSize(): number {
    return this.pipeline.vocabSize;
  }

  get specialTokens(): readonly SpecialToken[] {
    return this.pipeline.specials.list;
  }

  /**
   * Encodes one text.
   * @example tokenizer.encode('Hi!') // { ids: [2, 9, 14, 5, 3], tokens: ['<bos>', 'H', 'i', '!', '<eos>'], offsets: [[0,0], [0,1], ...] }
   */
  encode(text: string, options?: EncodeOptions): Encoding {
    return encode(this.pipeline, text, options);
  }

  /** The ids of `encode(text, options)`, computed without offsets and token strings (faster). */
  encodeIds(text: string, options?: EncodeOptions): number[] {
    return encodeIds(this.pipeline, text, options);
  }

  /** Encodes several texts with optional padding and explicit truncation. */
  encodeBatch(texts: readonly string[], options?: BatchOptions): BatchEncoding {
    return encodeBatch(this.pipeline, texts, options);
  }

  /** Encodes chunked text; everything yielded, concatenated, equals `encodeIds(chunks.join(''))`. */
  encodeStream(
    chunks: AsyncIterable<string> | Iterable<string>,
    options?: EncodeOptions,
  ): AsyncGenerator<number[], void, undefined> {
    return encodeStream(this.pipeline, chunks, options);
  }

  /** A push-based stream encoder (for WHATWG streams or event handlers). */
  streamEncoder(options?: EncodeOptions): StreamEncoder {
    return new StreamEncoder(this.pipeline, options);
  }

  /**
   * Ids -> text. Throws IdOutOfRangeError for an id that names no token.
   * For byte-level BPE, `decode(encodeIds(s)) === s` for every well-formed string `s`.
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const { specials, model, decoder, vocabSize } = this.pipeline;
    const tokens: string[] = [];
    const special: boolean[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const content = specials.byId.get(id);
      if (content !== undefined) {
        if (options.skipSpecialTokens) continue;
        tokens.push(content);
        special.push(true);
        continue;
      }
      const token = Number.isInteger(id) ? model.idToToken(id) : undefined;
      if (token === undefined) throw new IdOutOfRangeError(id, i, vocabSize, 'token id');
      tokens.push(token);
      special.push(false);
    }
    return decoder.decode(tokens, special);
  }

  /** The token text of `id` (special-token content, or model token), undefined if none. */
  idToToken(id: number): string | undefined {
    return this.pipeline.specials.byId.get(id) ?? this.pipeline.model.idToToken(id);
  }

  tokenToId(token: string): number | undefined {
    return this.pipeline.specials.byContent.get(token) ?? this.pipeline.model.tokenToId(token);
  }

  /** The versioned, type-tagged JSON form; `Tokenizer.fromJSON(t.toJSON())` behaves identically. */
  toJSON(): TokenizerJSON {
    return structuredClone(this.json);
  }
}
