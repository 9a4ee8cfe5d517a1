/**
 * Reading HuggingFace tokenizer.json files with a byte-level BPE model (GPT-2, RoBERTa-style, cl100k
 * conversions). Each HF component maps to a Strand stage; anything that would change ids and has no
 * Strand equivalent is rejected with a TokenizerFormatError naming the JSON path, never ignored.
 *
 * Differences that cannot change ids for byte-level BPE: offset trimming (`trim_offsets`) is not applied;
 * every added token is a special token, recognised only when allowed (HF always matches non-special
 * added tokens); with Split `Removed` + `invert`, text the pattern does not match is kept as pieces (the
 * GPT-2/cl100k/o200k patterns match every character, so there is none).
 */

import { jsonChecker } from '@strand/base';
import type { BpeJSON } from './bpe-model.js';
import type { DecoderJSON } from './decoders.js';
import { FormatError, type FormatLocation } from './errors.js';
import { MAX_ID, MAX_STAGE_DEPTH } from './json-checks.js';
import { parseJSONText } from './json-text.js';
import type { NormalizerJSON } from './normalizers.js';
import { patterns, translatePattern } from './patterns.js';
import { TOKENIZER_FORMAT, TOKENIZER_VERSION, type TokenizerJSON } from './pipeline.js';
import type { PostProcessorJSON } from './post-processors.js';
import type { PreTokenizerJSON } from './pre-tokenizers.js';
import type { SpecialToken } from './special-tokens.js';
import { Tokenizer } from './tokenizer.js';

type Json = Record<string, unknown>;

/** The `format` of errors about a HuggingFace tokenizer.json document. */
export const HF_FORMAT = 'tokenizer.json';
const check = jsonChecker({ format: HF_FORMAT });
const hfError = (reason: string, location: FormatLocation) => new FormatError(HF_FORMAT, reason, location);

/** A stage object with a string `type` (errors name tokenizer.json paths). */
function hfTyped(value: unknown, path: string): Json & { type: string } {
  const object = check.object(value, path);
  check.string(object['type'], `${path}.type`);
  return object as Json & { type: string };
}

function unsupported(what: string, path: string): never {
  throw hfError(`${what} is not supported (Strand reads byte-level BPE tokenizer.json files)`, { path });
}

/** Parses a tokenizer.json document (object or text) into a Strand tokenizer. */
export function fromHuggingFace(value: unknown, source?: string): Tokenizer {
  try {
    const json = check.object(
      typeof value === 'string' ? parseJSONText(value, source, HF_FORMAT) : value,
      '(root)',
    );
    return Tokenizer.fromJSON(convert(json));
  } catch (error) {
    if (error instanceof FormatError && source !== undefined) throw error.withSource(source);
    throw error;
  }
}

function convert(json: Json): TokenizerJSON {
  const specialTokens = check.array(json['added_tokens'] ?? [], 'added_tokens').map((t, i): SpecialToken => {
    const token = check.object(t, `added_tokens[${i}]`);
    return {
      id: check.index(token['id'], `added_tokens[${i}].id`, MAX_ID),
      content: check.string(token['content'], `added_tokens[${i}].content`),
    };
  });
  const specialIds = new Map(specialTokens.map((s) => [s.content, s.id]));
  return {
    format: TOKENIZER_FORMAT,
    version: TOKENIZER_VERSION,
    specialTokens,
    normalizer: json['normalizer'] == null ? null : normalizer(json['normalizer'], 'normalizer'),
    preTokenizer: preTokenizer(json['pre_tokenizer'], 'pre_tokenizer'),
    model: model(json['model'], new Set(specialTokens.map((s) => s.id)), 'model'),
    postProcessor:
      json['post_processor'] == null
        ? null
        : postProcessor(json['post_processor'], specialIds, 'post_processor'),
    decoder: decoder(json['decoder'], 'decoder'),
  };
}

function normalizer(value: unknown, path: string, depth = 0): NormalizerJSON {
  const json = hfTyped(value, path);
  if (depth > MAX_STAGE_DEPTH) unsupported(`normalizers nested deeper than ${MAX_STAGE_DEPTH} levels`, path);
  switch (json.type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
    case 'Lowercase':
      return { type: json.type };
    case 'Sequence':
      return {
        type: 'Sequence',
        normalizers: check
          .array(json['normalizers'], `${path}.normalizers`)
          .map((n, i) => normalizer(n, `${path}.normalizers[${i}]`, depth + 1)),
      };
    default:
      return unsupported(`normalizer type ${JSON.stringify(json.type)}`, `${path}.type`);
  }
}

/** ByteLevel, or Split then ByteLevel(use_regex: false), as HF writes GPT-2 and cl100k. */
function preTokenizer(value: unknown, path: string): PreTokenizerJSON | null {
  const json = hfTyped(value, path);
  if (json.type === 'ByteLevel') return byteLevel(json, path) ? gpt2Split : null;
  if (json.type !== 'Sequence')
    return unsupported(`pre-tokenizer type ${JSON.stringify(json.type)}`, `${path}.type`);
  const steps = check.array(json['pretokenizers'], `${path}.pretokenizers`);
  let split: PreTokenizerJSON | null = null;
  let sawByteLevel = false;
  steps.forEach((step, i) => {
    const where = `${path}.pretokenizers[${i}]`;
    const s = hfTyped(step, where);
    if (s.type === 'Split' && split === null && !sawByteLevel) split = splitStep(s, where);
    else if (s.type === 'ByteLevel' && !sawByteLevel) {
      sawByteLevel = true;
      if (byteLevel(s, where)) {
        if (split !== null) unsupported('a regex ByteLevel after a Split', `${where}.use_regex`);
        split = gpt2Split;
      }
    } else unsupported(`pre-tokenizer step ${JSON.stringify(s.type)} here`, `${where}.type`);
  });
  if (!sawByteLevel) unsupported('a pre-tokenizer without a ByteLevel step', path);
  return split;
}

const gpt2Split: PreTokenizerJSON = { type: 'Split', pattern: patterns.gpt2, dropWhitespace: false };

/** Checks a ByteLevel pre-tokenizer; returns whether it splits with the GPT-2 pattern. */
function byteLevel(json: Json, path: string): boolean {
  if (json['add_prefix_space'] === true)
    unsupported('ByteLevel add_prefix_space: true', `${path}.add_prefix_space`);
  return json['use_regex'] === undefined ? true : check.boolean(json['use_regex'], `${path}.use_regex`);
}

function splitStep(json: Json, path: string): PreTokenizerJSON {
  const pattern = check.object(json['pattern'], `${path}.pattern`);
  let source: string;
  if (typeof pattern['Regex'] === 'string') source = translatePattern(pattern['Regex']);
  else
    source = check
      .string(pattern['String'], `${path}.pattern.String`)
      .replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  const behavior = check.string(json['behavior'], `${path}.behavior`);
  const invert = json['invert'] === undefined ? false : check.boolean(json['invert'], `${path}.invert`);
  const keepsEverything = (behavior === 'Isolated' && !invert) || (behavior === 'Removed' && invert);
  if (!keepsEverything)
    unsupported(`Split behavior ${JSON.stringify(behavior)} with invert: ${invert}`, `${path}.behavior`);
  return { type: 'Split', pattern: source, dropWhitespace: false };
}

function model(value: unknown, specialIds: ReadonlySet<number>, path: string): BpeJSON {
  const json = hfTyped(value, path);
  if (json.type !== 'BPE') return unsupported(`model type ${JSON.stringify(json.type)}`, `${path}.type`);
  for (const key of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (json[key] != null && json[key] !== '')
      unsupported(`${key} ${JSON.stringify(json[key])}`, `${path}.${key}`);
  }
  if (json['byte_fallback'] === true) unsupported('byte_fallback: true', `${path}.byte_fallback`);
  if (typeof json['dropout'] === 'number' && json['dropout'] > 0)
    unsupported('BPE dropout (random merges)', `${path}.dropout`);

  const vocabObject = check.object(json['vocab'], `${path}.vocab`);
  const vocab: (string | null)[] = [];
  for (const [token, id] of Object.entries(vocabObject)) {
    const at = check.index(id, `${path}.vocab[${JSON.stringify(token)}]`, MAX_ID);
    if (vocab[at] != null) {
      throw hfError(`id ${at} is used by ${JSON.stringify(vocab[at])} and ${JSON.stringify(token)}`, {
        path: `${path}.vocab`,
      });
    }
    // Added tokens also listed in the vocabulary (GPT-2's <|endoftext|>) belong to the special tokens.
    vocab[at] = specialIds.has(at) ? null : token;
  }
  for (let i = 0; i < vocab.length; i++) vocab[i] ??= null;
  const merges = check.array(json['merges'], `${path}.merges`).map((merge, i): readonly [string, string] => {
    const where = `${path}.merges[${i}]`;
    const pair = typeof merge === 'string' ? merge.split(' ') : check.array(merge, where);
    if (pair.length !== 2) {
      throw hfError(`expected "left right" or [left, right], got ${JSON.stringify(merge)}`, {
        path: where,
      });
    }
    return [check.string(pair[0], `${where}[0]`), check.string(pair[1], `${where}[1]`)];
  });
  const ignoreMerges =
    json['ignore_merges'] === undefined
      ? false
      : check.boolean(json['ignore_merges'], `${path}.ignore_merges`);
  return { type: 'BPE', mode: 'merges', vocab, merges, ignoreMerges };
}

function postProcessor(
  value: unknown,
  specialIds: ReadonlyMap<string, number>,
  path: string,
  depth = 0,
): PostProcessorJSON | null {
  const json = hfTyped(value, path);
  if (depth > MAX_STAGE_DEPTH)
    unsupported(`post-processors nested deeper than ${MAX_STAGE_DEPTH} levels`, path);
  switch (json.type) {
    case 'ByteLevel':
      return null; // only trims offsets
    case 'RobertaProcessing':
    case 'BertProcessing': {
      const token = (key: string) =>
        check.string(check.array(json[key], `${path}.${key}`)[0], `${path}.${key}[0]`);
      return { type: 'Template', prefix: [token('cls')], suffix: [token('sep')] };
    }
    case 'TemplateProcessing':
      return template(json, specialIds, path);
    case 'Sequence': {
      const steps = check
        .array(json['processors'], `${path}.processors`)
        .map((p, i) => postProcessor(p, specialIds, `${path}.processors[${i}]`, depth + 1))
        .filter((p) => p !== null);
      if (steps.length > 1) unsupported('more than one adding post-processor', `${path}.processors`);
      return steps[0] ?? null;
    }
    default:
      return unsupported(`post-processor type ${JSON.stringify(json.type)}`, `${path}.type`);
  }
}

/** TemplateProcessing's single-sequence template: special tokens around one `Sequence` item. */
function template(json: Json, specialIds: ReadonlyMap<string, number>, path: string): PostProcessorJSON {
  const items = check.array(json['single'], `${path}.single`);
  const specials =
    json['special_tokens'] == null ? {} : check.object(json['special_tokens'], `${path}.special_tokens`);
  const prefix: string[] = [];
  const suffix: string[] = [];
  let seenSequence = false;
  items.forEach((item, i) => {
    const where = `${path}.single[${i}]`;
    const object = check.object(item, where);
    if ('Sequence' in object) {
      if (seenSequence) unsupported('a template with two sequences', where);
      seenSequence = true;
      return;
    }
    const name = check.string(
      check.object(object['SpecialToken'], `${where}.SpecialToken`)['id'],
      `${where}.SpecialToken.id`,
    );
    const entry =
      specials[name] === undefined
        ? undefined
        : check.object(specials[name], `${path}.special_tokens.${name}`);
    const tokens =
      entry === undefined ? [name] : check.array(entry['tokens'], `${path}.special_tokens.${name}.tokens`);
    for (const t of tokens) {
      const content = check.string(t, `${path}.special_tokens.${name}.tokens`);
      if (!specialIds.has(content))
        unsupported(`template token ${JSON.stringify(content)} that is not an added token`, where);
      (seenSequence ? suffix : prefix).push(content);
    }
  });
  if (!seenSequence) unsupported('a template without a Sequence item', `${path}.single`);
  return { type: 'Template', prefix, suffix };
}

function decoder(value: unknown, path: string): DecoderJSON {
  const json = hfTyped(value, path);
  if (json.type === 'ByteLevel') return { type: 'ByteLevel' };
  return unsupported(`decoder type ${JSON.stringify(json.type)}`, `${path}.type`);
}
