// A second, deliberately plain CoNLL-U reader for the fuzz tests: it cuts the text into blocks at
// blank lines first and checks each block as https://universaldependencies.org/format.html
// defines it. Returns the same shape as parseConllu, or throws.
import type { ConlluSentence, ConlluToken } from '../src/conllu.js';

export function referenceConllu(bytes: Uint8Array): ConlluSentence[] {
  let text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text === '') return [];
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.pop() !== '') throw new Error('no final newline');
  // Every sentence ends with exactly one blank line.
  const blocks: string[][] = [];
  let block: string[] = [];
  for (const l of lines) {
    if (l !== '') block.push(l);
    else if (block.length > 0) {
      blocks.push(block);
      block = [];
    } else throw new Error('blank line outside a sentence');
  }
  if (block.length > 0) throw new Error('unterminated sentence');
  return blocks.map((b) => {
    const comments: string[] = [];
    let j = 0;
    for (; j < b.length && b[j]!.startsWith('#'); j++) comments.push(b[j]!.replace(/^#\s?/, ''));
    const tokens: ConlluToken[] = [];
    let lastRange = 0;
    for (; j < b.length; j++) {
      const c = b[j]!.split('\t');
      if (b[j]!.trim() === '' || c.length !== 10 || c.some((x) => x === '')) throw new Error('columns');
      const id = c[0]!;
      if (/^\d+-\d+$/.test(id)) {
        const [from, to] = id.split('-').map(Number) as [number, number];
        if (id.startsWith('0') || id.includes('-0') || from !== tokens.length + 1 || to <= from)
          throw new Error('range');
        lastRange = to;
        continue;
      }
      if (/^\d+\.\d+$/.test(id)) {
        const [word, sub] = id.split('.') as [string, string];
        if (
          Number(word) !== tokens.length ||
          (word.length > 1 && word.startsWith('0')) ||
          sub.startsWith('0')
        )
          throw new Error('empty node');
        continue;
      }
      if (!/^[1-9]\d*$/.test(id) || Number(id) !== tokens.length + 1) throw new Error('id');
      const head = c[6]!;
      if (head !== '_' && !/^(0|[1-9]\d*)$/.test(head)) throw new Error('head');
      const h = head === '_' ? null : Number(head);
      if (h === Number(id)) throw new Error('self head');
      tokens.push({
        id: Number(id),
        form: c[1]!,
        lemma: c[2]!,
        upos: c[3]!,
        xpos: c[4]!,
        head: h,
        deprel: c[7]!,
      });
    }
    if (tokens.length === 0 || lastRange > tokens.length) throw new Error('empty sentence or range');
    if (tokens.some((t) => t.head !== null && t.head > tokens.length)) throw new Error('head outside');
    return { comments, tokens };
  });
}
