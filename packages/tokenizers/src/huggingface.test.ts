import { describe, expect, test } from 'vitest';
import { BPETokenizer } from './bpe-tokenizer.js';
import { toByteLevel } from './byte-level.js';
import { CharTokenizer } from './char-tokenizer.js';
import { ConfigError, FormatError } from './errors.js';
import { toHuggingFace, toTiktoken } from './huggingface-export.js';
import { hardStrings } from './testing/hard-strings.js';
import { wellFormed } from './testing/random-text.js';

/** A tiny GPT-2-style tokenizer.json: byte b has id b, then three merges, then <|endoftext|>. */
function gpt2Like(mergeForm: 'string' | 'array' = 'string') {
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[toByteLevel(String.fromCharCode(b))] = b;
  Object.assign(vocab, { Ġt: 256, he: 257, Ġthe: 258, '<|endoftext|>': 259 });
  const merges = [
    ['Ġ', 't'],
    ['h', 'e'],
    ['Ġt', 'he'],
  ];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: 259,
        content: '<|endoftext|>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: mergeForm === 'string' ? merges.map((m) => m.join(' ')) : merges,
    },
  };
}

describe('BPETokenizer.fromHuggingFace', () => {
  test.each(['string', 'array'] as const)('GPT-2 style file with merges as %s', (form) => {
    const t = BPETokenizer.fromHuggingFace(gpt2Like(form));
    expect(t.vocabSize).toBe(260);
    expect(t.encodeIds(' the')).toEqual([258]);
    expect(t.encodeIds('the')).toEqual([116, 257]);
    // " hethe" is one piece: (h, e) merges twice, leftmost first; nothing else applies.
    expect(t.encodeIds(' hethe')).toEqual([32, 257, 116, 257]);
    expect(t.encode(' the the').tokens).toEqual(['Ġthe', 'Ġthe']);
    expect(t.encodeIds('<|endoftext|>', { allowedSpecial: 'all' })).toEqual([259]);
    expect(t.decode([258, 259, 32])).toBe(' the<|endoftext|> ');
    for (const s of hardStrings) expect(t.decode(t.encodeIds(s))).toBe(wellFormed(s));
  });

  test('accepts the text of a file', () => {
    const t = BPETokenizer.fromHuggingFace(JSON.stringify(gpt2Like()), 'tokenizer.json');
    expect(t.encodeIds(' the')).toEqual([258]);
  });

  test('Split + ByteLevel pre-tokenizer with a Rust-syntax pattern, TemplateProcessing with bos/eos', () => {
    const json = {
      ...gpt2Like(),
      added_tokens: [
        { id: 259, content: '<s>', special: true },
        { id: 260, content: '</s>', special: true },
      ],
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          {
            type: 'Split',
            pattern: { Regex: "'(?i:[sdmt]|ll|ve|re)|\\s*[\\r\\n]|\\s+(?!\\S)|\\s|[^\\s]++" },
            behavior: 'Isolated',
            invert: false,
          },
          { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      },
      post_processor: {
        type: 'TemplateProcessing',
        single: [
          { SpecialToken: { id: '<s>', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '</s>', type_id: 0 } },
        ],
        pair: null,
        special_tokens: {
          '<s>': { id: '<s>', ids: [259], tokens: ['<s>'] },
          '</s>': { id: '</s>', ids: [260], tokens: ['</s>'] },
        },
      },
    };
    delete (json.model.vocab as Record<string, number>)['<|endoftext|>'];
    const t = BPETokenizer.fromHuggingFace(json);
    expect(t.toJSON().preTokenizer).toMatchObject({ type: 'Split', dropWhitespace: false });
    // "the" then " " (a lone whitespace piece) then "the": the pattern keeps the space apart.
    expect(t.encode('the the')).toMatchObject({ ids: [259, 116, 257, 32, 116, 257, 260] });
    expect(t.encode("It'S").tokens).toEqual(['<s>', 'I', 't', "'", 'S', '</s>']);
  });

  test('RobertaProcessing maps cls/sep to a template', () => {
    const json = {
      ...gpt2Like(),
      added_tokens: [
        { id: 259, content: '<s>', special: true },
        { id: 260, content: '</s>', special: true },
      ],
      post_processor: {
        type: 'RobertaProcessing',
        sep: ['</s>', 260],
        cls: ['<s>', 259],
        trim_offsets: true,
        add_prefix_space: false,
      },
    };
    delete (json.model.vocab as Record<string, number>)['<|endoftext|>'];
    expect(BPETokenizer.fromHuggingFace(json).encodeIds(' the')).toEqual([259, 258, 260]);
  });

  test.each<[string, (j: ReturnType<typeof gpt2Like>) => unknown, RegExp]>([
    [
      'a WordPiece model',
      (j) => ({ ...j, model: { ...j.model, type: 'WordPiece' } }),
      /at model\.type: model type "WordPiece" is not supported/,
    ],
    [
      'add_prefix_space',
      (j) => ({ ...j, pre_tokenizer: { ...j.pre_tokenizer, add_prefix_space: true } }),
      /pre_tokenizer\.add_prefix_space/,
    ],
    ['byte_fallback', (j) => ({ ...j, model: { ...j.model, byte_fallback: true } }), /model\.byte_fallback/],
    [
      'a missing byte',
      (j) => ({ ...j, model: { ...j.model, vocab: { ...j.model.vocab, Ā: undefined } } }),
      /no token for byte 0x00/,
    ],
    [
      'an unknown merge token',
      (j) => ({ ...j, model: { ...j.model, merges: ['Ġ zz'] } }),
      /model\.merges\[0\]\[1\]: "zz" is not in the vocabulary/,
    ],
    [
      'a bad merge',
      (j) => ({ ...j, model: { ...j.model, merges: ['a b c'] } }),
      /model\.merges\[0\]: expected "left right"/,
    ],
    ['a Metaspace decoder', (j) => ({ ...j, decoder: { type: 'Metaspace' } }), /decoder type "Metaspace"/],
  ])('rejects %s, naming the path', (_, change, message) => {
    const json = JSON.parse(JSON.stringify(change(gpt2Like())));
    expect(() => BPETokenizer.fromHuggingFace(json)).toThrow(FormatError);
    expect(() => BPETokenizer.fromHuggingFace(json)).toThrow(message);
  });

  test('malformed JSON text names the file, line and column', () => {
    const text = '{\n  "model": {\n    "type": "BPE",,\n  }\n}';
    expect(() => BPETokenizer.fromHuggingFace(text, 'tokenizer.json')).toThrow(
      /^tokenizer\.json tokenizer\.json:3:19: malformed JSON: expected a property name in double quotes, got ","/,
    );
  });
});

describe('toHuggingFace / toTiktoken', () => {
  test('a trained tokenizer round-trips through tokenizer.json', () => {
    const t = BPETokenizer.train(hardStrings.join(' '), { vocabSize: 400, addBos: true, addEos: true });
    const hf = JSON.parse(JSON.stringify(toHuggingFace(t)));
    expect(hf.added_tokens.map((a: { content: string }) => a.content)).toEqual([
      '<pad>',
      '<unk>',
      '<bos>',
      '<eos>',
    ]);
    expect(hf.post_processor.type).toBe('TemplateProcessing');
    const back = BPETokenizer.fromHuggingFace(hf);
    for (const s of hardStrings) expect(back.encode(s)).toEqual(t.encode(s));
    expect(back.toJSON()).toEqual(t.toJSON());
  });

  test('refuses what the target format cannot express', () => {
    const trained = BPETokenizer.train('abc abc', { vocabSize: 270 });
    expect(() => toTiktoken(trained)).toThrow(ConfigError);
    expect(() => toTiktoken(trained)).toThrow(/merge list/);
    expect(() => toHuggingFace(CharTokenizer.train('abc'))).toThrow(
      /needs a byte-level BPE tokenizer; this one has a CharLevel model/,
    );
  });
});
