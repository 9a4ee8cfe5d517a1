import { describe, expect, test } from 'vitest';
import { CharTokenizer } from './char-tokenizer.js';
import { FormatError } from './errors.js';
import type { TokenizerJSON } from './pipeline.js';
import { Tokenizer } from './tokenizer.js';

const valid = CharTokenizer.train('ab', { addBos: true }).toJSON();

function failure(change: (json: Record<string, unknown>) => void, source?: string): FormatError {
  const json = structuredClone(valid) as unknown as Record<string, unknown>;
  change(json);
  try {
    if (source === undefined) Tokenizer.fromJSON(json);
    else Tokenizer.parse(JSON.stringify(json), source);
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('tokenizer JSON', () => {
  test('the document: versioned, type-tagged stages in pipeline order', () => {
    expect(Object.keys(valid)).toEqual([
      'format',
      'version',
      'specialTokens',
      'normalizer',
      'preTokenizer',
      'model',
      'postProcessor',
      'decoder',
    ]);
    expect(valid).toMatchObject({
      format: 'strand-tokenizer',
      version: 1,
      model: { type: 'CharLevel', vocab: [null, null, null, null, 'a', 'b'], unkToken: '<unk>' },
      postProcessor: { type: 'Template', prefix: ['<bos>'], suffix: [] },
      decoder: { type: 'Concat' },
    });
  });

  test('toJSON returns a copy, and fromJSON keeps its own', () => {
    const json = structuredClone(valid) as unknown as { model: { vocab: (string | null)[] } };
    const t = Tokenizer.fromJSON(json);
    json.model.vocab.push('c');
    (t.toJSON().model.vocab as (string | null)[]).push('d');
    expect(t.toJSON()).toEqual(valid);
  });

  test.each<[string, (j: Record<string, unknown>) => void, string]>([
    [
      'a foreign format',
      (j) => (j['format'] = 'other'),
      'format: expected format "strand-tokenizer", got "other"',
    ],
    [
      'a newer version',
      (j) => (j['version'] = 2),
      'version: unsupported version 2; this build reads version 1',
    ],
    [
      'a missing stage',
      (j) => delete j['decoder'],
      'decoder: expected an object, got nothing (the field is missing)',
    ],
    [
      'an unknown model',
      (j) => (j['model'] = { type: 'Unigram' }),
      "model.type: unknown model type \"Unigram\"; expected one of 'CharLevel', 'WordLevel', 'BPE'",
    ],
    [
      'a non-character',
      (j) => ((j['model'] as { vocab: unknown[] }).vocab[4] = 'ab'),
      'model.vocab[4]: expected one character, got "ab"',
    ],
    [
      'a duplicate',
      (j) => ((j['model'] as { vocab: unknown[] }).vocab[5] = 'a'),
      'model.vocab[5]: duplicate token "a": it already has id 4',
    ],
    [
      'a bad unk',
      (j) => ((j['model'] as { unkToken: unknown }).unkToken = '<oov>'),
      'model.unkToken: unkToken "<oov>" is not one of the special tokens',
    ],
    [
      'a bad special id',
      (j) => ((j['specialTokens'] as { id: unknown }[])[0]!.id = -1),
      'specialTokens[0].id: expected an integer in [0, 2097151], got the number -1',
    ],
    [
      'a special on a model id',
      (j) => ((j['specialTokens'] as { id: unknown }[])[0]!.id = 4),
      'special token "<pad>" has id 4, which the model already uses for "a"',
    ],
    [
      'an unknown template token',
      (j) => ((j['postProcessor'] as { prefix: string[] }).prefix = ['<s>']),
      'postProcessor.prefix[0]: "<s>" is not a special token of this tokenizer',
    ],
  ])('rejects %s, naming the path', (_, change, message) => {
    expect(failure(change).message).toContain(message);
  });

  test('parse names the file', () => {
    const error = failure((j) => (j['version'] = 3), 'char.json');
    expect(error.source).toBe('char.json');
    expect(error.message).toBe(
      'tokenizer char.json at version: unsupported version 3; this build reads version 1',
    );
    expect(() => Tokenizer.parse('{"format": "strand-tokenizer",\n"version": 1,,}', 'char.json')).toThrow(
      /^tokenizer char\.json:2:14: malformed JSON/,
    );
  });

  test('a HuggingFace file gets a hint', () => {
    const hf = { version: '1.0', added_tokens: [], model: { type: 'BPE' } };
    expect(() => Tokenizer.fromJSON(hf)).toThrow(
      /looks like a HuggingFace tokenizer\.json: use BPETokenizer\.fromHuggingFace/,
    );
  });

  test('typed JSON is accepted as TokenizerJSON', () => {
    const json: TokenizerJSON = {
      format: 'strand-tokenizer',
      version: 1,
      specialTokens: [{ id: 0, content: '<unk>' }],
      normalizer: { type: 'Lowercase' },
      preTokenizer: { type: 'Split', pattern: '\\w+|[^\\w\\s]', dropWhitespace: true },
      model: { type: 'WordLevel', vocab: [null, 'hi', '!'], unkToken: '<unk>' },
      postProcessor: null,
      decoder: { type: 'Words' },
    };
    const t = Tokenizer.fromJSON(json);
    expect(t.encode('Hi there!')).toEqual({
      ids: [1, 0, 2],
      tokens: ['hi', '<unk>', '!'],
      offsets: [
        [0, 2],
        [3, 8],
        [8, 9],
      ],
      specialTokensMask: [0, 0, 0],
    });
    expect(t.decode([1, 2, 1])).toBe('hi! hi');
  });
});
