/**
 * The tokenizer's JSON form and the five stages it builds. Fields are in pipeline order; every stage is
 * `type`-tagged and the document carries `format` and `version`, so files written today stay readable.
 */
import { createDecoder, type Decoder, type DecoderJSON } from './decoders.js';
import { tokenizerError } from './errors.js';
import { check } from './json-checks.js';
import { createModel, type Model, type ModelJSON } from './model.js';
import { createNormalizer, type Normalizer, type NormalizerJSON } from './normalizers.js';
import { createPostProcessor, type PostProcessor, type PostProcessorJSON } from './post-processors.js';
import { createPreTokenizer, type PreTokenizer, type PreTokenizerJSON } from './pre-tokenizers.js';
import { createSpecialTokens, type SpecialToken, type SpecialTokens } from './special-tokens.js';

export const TOKENIZER_FORMAT = 'strand-tokenizer';
export const TOKENIZER_VERSION = 1;

export interface TokenizerJSON {
  readonly format: typeof TOKENIZER_FORMAT;
  readonly version: typeof TOKENIZER_VERSION;
  readonly specialTokens: readonly SpecialToken[];
  readonly normalizer: NormalizerJSON | null;
  readonly preTokenizer: PreTokenizerJSON | null;
  readonly model: ModelJSON;
  readonly postProcessor: PostProcessorJSON | null;
  readonly decoder: DecoderJSON;
}

export interface Pipeline {
  readonly specials: SpecialTokens;
  readonly normalizer: Normalizer | null;
  readonly preTokenizer: PreTokenizer | null;
  readonly model: Model;
  readonly postProcessor: PostProcessor | null;
  readonly decoder: Decoder;
  /** One more than the largest id (model or special). Ids below it may still be holes. */
  readonly vocabSize: number;
}

/** Validates a parsed document and builds its stages. Errors name the JSON path. */
export function createPipeline(value: unknown): Pipeline {
  const json = check.object(value, '(root)');
  if (json['format'] !== TOKENIZER_FORMAT) {
    throw tokenizerError(
      `expected format ${JSON.stringify(TOKENIZER_FORMAT)}, got ${JSON.stringify(json['format'])}` +
        (json['model'] !== undefined && json['added_tokens'] !== undefined
          ? '; this looks like a HuggingFace tokenizer.json: use BPETokenizer.fromHuggingFace'
          : ''),
      { path: 'format' },
    );
  }
  if (json['version'] !== TOKENIZER_VERSION) {
    throw tokenizerError(
      `unsupported version ${JSON.stringify(json['version'])}; this build reads version ${TOKENIZER_VERSION}`,
      { path: 'version' },
    );
  }
  const specials = createSpecialTokens(json['specialTokens']);
  const optional = <T, R>(key: string, make: (v: T, path: string) => R): R | null =>
    json[key] === null ? null : make(json[key] as T, key);
  const normalizer = optional<NormalizerJSON, Normalizer>('normalizer', createNormalizer);
  const preTokenizer = optional<PreTokenizerJSON, PreTokenizer>('preTokenizer', createPreTokenizer);
  const model = createModel(json['model'] as ModelJSON, specials.byContent);
  const postProcessor = optional<PostProcessorJSON, PostProcessor>('postProcessor', (v, path) =>
    createPostProcessor(v, specials, path),
  );
  const decoder = createDecoder(json['decoder'] as DecoderJSON);
  for (const { id, content } of specials.list) {
    const token = model.idToToken(id);
    if (token !== undefined) {
      throw tokenizerError(
        `special token ${JSON.stringify(content)} has id ${id}, which the model already uses for ${JSON.stringify(token)}; ` +
          'model vocabularies must leave special ids empty (null)',
        { path: 'specialTokens' },
      );
    }
  }
  let vocabSize = model.size;
  for (const s of specials.list) vocabSize = Math.max(vocabSize, s.id + 1);
  return { specials, normalizer, preTokenizer, model, postProcessor, decoder, vocabSize };
}
