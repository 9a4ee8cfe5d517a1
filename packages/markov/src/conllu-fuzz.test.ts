// Hostile CoNLL-U: structure errors are ConlluParseErrors naming the line (or byte offset), and
// seeded mutations give typed errors only, or exactly what a plain second reader accepts.
import { readFile } from 'node:fs/promises';
import { dataPath, fuzzReader, hasData } from '@strand/test-utils';
import { describe, expect, it } from 'vitest';
import { referenceConllu } from '../test/conllu-reference.js';
import { parseConllu } from './conllu.js';
import { ConlluParseError } from './errors.js';

const SAMPLE = `${[
  '# sent_id = 1',
  "# text = I can't go.",
  '1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_',
  "2-3\tcan't\t_\t_\t_\t_\t_\t_\t_\t_",
  '2\tca\tcan\tAUX\tMD\t_\t4\taux\t_\t_',
  "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_",
  '4\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_',
  '4.1\tgone\t_\t_\t_\t_\t_\t_\t_\t_',
  '5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_',
  '',
  '# sent_id = 2',
  '1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_',
  '2\tthere\tthere\tADV\tRB\t_\t1\tadvmod\t_\t_',
].join('\n')}\n\n`;

const error = (text: string | Uint8Array): ConlluParseError => {
  try {
    parseConllu(text, { source: 'x.conllu' });
  } catch (e) {
    expect(e).toBeInstanceOf(ConlluParseError);
    return e as ConlluParseError;
  }
  throw new Error('accepted');
};

describe('CoNLL-U reader under hostile input', () => {
  it('accepts the sample as the plain reader reads it', () => {
    expect(parseConllu(SAMPLE)).toEqual(referenceConllu(new TextEncoder().encode(SAMPLE)));
    expect(parseConllu(SAMPLE.replaceAll('\n', '\r\n'))).toEqual(parseConllu(SAMPLE));
    expect(parseConllu('')).toEqual([]);
  });

  it.each([
    [
      'HEAD outside the sentence',
      SAMPLE.replace('there\tthere\tADV\tRB\t_\t1', 'there\tthere\tADV\tRB\t_\t7'),
      13,
      /HEAD 7 is outside the sentence \(words 1..2, 0 = root\)/,
    ],
    ['a word its own HEAD', SAMPLE.replace('PRP\t_\t3', 'PRP\t_\t1'), 3, /word 1 is its own HEAD/],
    [
      'a truncated last sentence',
      SAMPLE.slice(0, SAMPLE.indexOf('2\tthere')),
      12,
      /the file ends inside a sentence/,
    ],
    [
      'a sentence cut mid-line',
      SAMPLE.slice(0, SAMPLE.indexOf('advmod\t_\t_\n\n')),
      13,
      /expected 10 tab-separated columns, got 8/,
    ],
    [
      'a multiword range past the sentence end',
      SAMPLE.replace('1\tHi', '1-3\tHi\t_\t_\t_\t_\t_\t_\t_\t_\n1\tHi'),
      12,
      /multiword range ends at word 3 but the sentence has 2 words/,
    ],
    ['a skipped word id', SAMPLE.replace('5\t.\t.', '6\t.\t.'), 9, /expected word id 5, got 6/],
    ['a zero-padded word id', SAMPLE.replace('4\tgo', '04\tgo'), 7, /expected a word id/],
    ['an id that is not a number', SAMPLE.replace('1\tI\tI', 'x\tI\tI'), 3, /expected a word id.*got "x"/],
    [
      'an empty node in the wrong place',
      SAMPLE.replace('4.1\tgone', '2.1\tgone'),
      8,
      /empty node 2.1 must follow word 2/,
    ],
    ['an empty column', SAMPLE.replace('VERB\tVB', 'VERB\t'), 7, /column 5 is empty/],
    [
      'two blank lines',
      SAMPLE.replace('\n\n# sent_id = 2', '\n\n\n# sent_id = 2'),
      11,
      /an empty line outside a sentence/,
    ],
    [
      'a comment inside a sentence',
      SAMPLE.replace("3\tn't", "# note\n3\tn't"),
      6,
      /a comment line inside a sentence/,
    ],
    ['a huge HEAD', SAMPLE.replace('PRP\t_\t3', 'PRP\t_\t99999999999999999999'), 3, /expected a head id/],
  ])('rejects %s, naming line %i', (_name, text, line, message) => {
    const e = error(text);
    expect(e.line).toBe(line);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`CoNLL-U x.conllu:${line}: `)).toBe(true);
  });

  it('names the byte offset of invalid UTF-8', () => {
    const bytes = new TextEncoder().encode(SAMPLE);
    const at = SAMPLE.indexOf('gone'); // ASCII before it, so UTF-16 and byte offsets agree
    const bad = Uint8Array.from([...bytes.subarray(0, at), 0xc0, 0x80, ...bytes.subarray(at)]);
    const e = error(bad);
    expect(e.byteOffset).toBe(at);
    expect(e.message).toBe(`CoNLL-U x.conllu byte ${at}: invalid UTF-8`);
  });

  it.each([
    ['the sample', 11, 600],
    ['a sample without comments or multiword tokens', 12, 500],
  ] as const)(
    'gives typed errors only on mutations of %s, and agrees with a plain reader',
    async (name, seed, count) => {
      const input =
        name === 'the sample'
          ? SAMPLE
          : SAMPLE.split('\n')
              .filter((l) => !/^(#|\d+-|\d+\.)/.test(l))
              .join('\n');
      const report = await fuzzReader({
        input,
        seed,
        count,
        maxMs: 500,
        read: (bytes) => parseConllu(bytes),
        reference: (bytes) => referenceConllu(bytes),
      });
      expect(report.rejected).toBeGreaterThan(count / 4);
      expect(report.accepted).toBeGreaterThan(0);
      expect(Object.keys(report.codes)).toEqual(['ERR_FORMAT']);
    },
    60_000,
  );

  describe.skipIf(!hasData('ud-english-ewt', 'en_ewt-ud-dev.conllu'))('on English-EWT dev', () => {
    it('agrees with the plain reader on the whole file', async () => {
      const bytes = new Uint8Array(await readFile(dataPath('ud-english-ewt', 'en_ewt-ud-dev.conllu')));
      const ours = parseConllu(bytes);
      expect(ours.length).toBe(2001);
      expect(ours).toEqual(referenceConllu(bytes));
    });
  });
});
