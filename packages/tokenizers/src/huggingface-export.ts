/**
 * Writing byte-level BPE tokenizers as HuggingFace tokenizer.json, and tiktoken ranks.
 *
 * A tiktoken ('ranks') model has no merge list, so one is derived as HF's own converter does: each token
 * of rank r is split by running BPE on its bytes with ranks below r; the last merge of that run gives the
 * pair, with priority r.
 */
import type { BpeJSON } from './bpe-model.js';
import { fromByteLevel } from './byte-level.js';
import { ConfigError } from './errors.js';
import type { NormalizerJSON } from './normalizers.js';
import { formatTiktokenFile } from './tiktoken.js';
import type { Tokenizer } from './tokenizer.js';

function bpeOf(tokenizer: Tokenizer, target: string): BpeJSON {
  const json = tokenizer.toJSON();
  if (json.model.type !== 'BPE' || json.decoder.type !== 'ByteLevel') {
    throw new ConfigError(
      `${target} export needs a byte-level BPE tokenizer; this one has a ${json.model.type} model.`,
    );
  }
  return json.model;
}

/** The tokenizer as a HuggingFace tokenizer.json object (`JSON.stringify` it to write the file). */
export function toHuggingFace(tokenizer: Tokenizer): Record<string, unknown> {
  const json = tokenizer.toJSON();
  const model = bpeOf(tokenizer, 'tokenizer.json');
  if (json.preTokenizer?.dropWhitespace) {
    throw new ConfigError(
      'tokenizer.json has no equivalent of dropWhitespace: true for a BPE pre-tokenizer.',
    );
  }
  const merges = model.mode === 'merges' ? model.merges : deriveMerges(model.vocab);
  const vocab: Record<string, number> = {};
  model.vocab.forEach((token, id) => {
    if (token !== null) vocab[token] = id;
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };
  const post = json.postProcessor;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: json.specialTokens.map(({ id, content }) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: json.normalizer === null ? null : hfNormalizer(json.normalizer),
    pre_tokenizer:
      json.preTokenizer === null
        ? byteLevel
        : {
            type: 'Sequence',
            pretokenizers: [
              {
                type: 'Split',
                pattern: { Regex: json.preTokenizer.pattern },
                behavior: 'Isolated',
                invert: false,
              },
              byteLevel,
            ],
          },
    post_processor:
      post === null
        ? null
        : {
            type: 'TemplateProcessing',
            single: [
              ...post.prefix.map((id) => ({ SpecialToken: { id, type_id: 0 } })),
              { Sequence: { id: 'A', type_id: 0 } },
              ...post.suffix.map((id) => ({ SpecialToken: { id, type_id: 0 } })),
            ],
            pair: null,
            special_tokens: Object.fromEntries(
              [...post.prefix, ...post.suffix].map((content) => [
                content,
                { id: content, ids: [tokenizer.tokenToId(content)], tokens: [content] },
              ]),
            ),
          },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: model.mode === 'merges' ? model.ignoreMerges : false,
      vocab,
      merges: merges.map(([a, b]) => [a, b]),
    },
  };
}

function hfNormalizer(json: NormalizerJSON): Record<string, unknown> {
  if (json.type === 'Sequence') return { type: 'Sequence', normalizers: json.normalizers.map(hfNormalizer) };
  return { type: json.type };
}

/** Merge list equivalent to tiktoken ranks: [left, right] byte-level texts, by the rank of their result. */
export function deriveMerges(vocab: readonly (string | null)[]): [string, string][] {
  const ranks = new Map<string, number>();
  const bytes: (string | undefined)[] = vocab.map((t) => (t === null ? undefined : fromByteLevel(t)));
  bytes.forEach((b, rank) => {
    if (b !== undefined) ranks.set(b, rank);
  });
  const merges: [string, string][] = [];
  for (let rank = 0; rank < bytes.length; rank++) {
    const token = bytes[rank];
    if (token === undefined || token.length < 2) continue;
    const parts = Array.from(token);
    // Merge by rank, using only tokens older than this one, until two parts remain.
    while (parts.length > 2) {
      let best = -1;
      let bestRank = rank;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = ranks.get(parts[i]! + parts[i + 1]!);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      parts.splice(best, 2, parts[best]! + parts[best + 1]!);
    }
    if (parts.length !== 2 || !ranks.has(parts[0]!) || !ranks.has(parts[1]!)) {
      throw new ConfigError(
        `token ${JSON.stringify(vocab[rank])} (rank ${rank}) cannot be built from two older tokens.`,
      );
    }
    merges.push([vocab[ranks.get(parts[0]!)!]!, vocab[ranks.get(parts[1]!)!]!]);
  }
  return merges;
}

/**
 * The tokenizer's ranks as a `.tiktoken` file (`<base64 bytes> <rank>` lines). Only tiktoken-style
 * ('ranks') models: a merge list cannot in general be expressed as ranks (tiktoken merges any two parts
 * whose bytes form a token; a merge list allows only the listed pairs).
 */
export function toTiktoken(tokenizer: Tokenizer): string {
  const model = bpeOf(tokenizer, '.tiktoken');
  if (model.mode !== 'ranks') {
    throw new ConfigError(
      'this BPE model uses a merge list, which tiktoken ranks cannot express exactly; export it with toHuggingFace.',
    );
  }
  return formatTiktokenFile(model.vocab.map((t) => (t === null ? undefined : fromByteLevel(t))));
}
