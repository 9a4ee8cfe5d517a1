// Encode throughput on tiny Shakespeare: Strand's BPE with the cl100k ranks against js-tiktoken in the
// same run (same text, both warmed up, runs interleaved so machine noise hits both alike), plus the char
// and word tokenizers. Run `pnpm build` first; this imports the built package.
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { BPETokenizer, CharTokenizer, WordTokenizer } from '../dist/index.js';

// Same rule as @strand/test-utils' dataDir (which is TypeScript, so plain Node cannot import it here).
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDir = process.env.STRAND_DATA_DIR
  ? resolve(process.env.STRAND_DATA_DIR)
  : resolve(repoRoot, '..', 'shared', 'data');
const input = resolve(dataDir, 'tinyshakespeare', 'input.txt');
if (!existsSync(input)) {
  console.log(`skipped: ${input} not found (set STRAND_DATA_DIR)`);
  process.exit(0);
}
const text = readFileSync(input, 'utf8');
const megabytes = new TextEncoder().encode(text).length / 1e6;
const repetitions = Number(process.env.BENCH_REPS ?? 7);

function time(fn) {
  const start = performance.now();
  const result = fn();
  return { seconds: (performance.now() - start) / 1000, result };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

/** Runs every case `repetitions` times, round-robin, after two warm-up runs each. Returns median seconds. */
function measure(cases) {
  const times = new Map(cases.map(([name]) => [name, []]));
  for (const [, fn] of cases) for (let i = 0; i < 2; i++) fn();
  for (let r = 0; r < repetitions; r++)
    for (const [name, fn] of cases) times.get(name).push(time(fn).seconds);
  return new Map([...times].map(([name, ts]) => [name, median(ts)]));
}

const load = (label, fn) => {
  const { seconds, result } = time(fn);
  console.log(`${label}: ${(seconds * 1000).toFixed(0)} ms`);
  return result;
};
const strand = load('load Strand cl100k', () => BPETokenizer.fromTiktoken(cl100k));
const peer = load('load js-tiktoken cl100k', () => new Tiktoken(cl100k));
const chars = load('train CharTokenizer', () => CharTokenizer.train(text));
const words = load('train WordTokenizer (lowercase)', () => WordTokenizer.train(text, { lowercase: true }));
load('train BPETokenizer (vocabSize 1000)', () => BPETokenizer.train(text, { vocabSize: 1000 }));

const ours = strand.encodeIds(text);
const theirs = peer.encode(text);
if (ours.length !== theirs.length || ours.some((id, i) => id !== theirs[i])) {
  throw new Error('Strand and js-tiktoken ids differ: the comparison would be meaningless');
}

const results = measure([
  ['Strand BPE cl100k, encodeIds', () => strand.encodeIds(text)],
  ['js-tiktoken cl100k, encode', () => peer.encode(text)],
  ['Strand BPE cl100k, encode (+ offsets, tokens)', () => strand.encode(text)],
  ['Strand CharTokenizer, encodeIds', () => chars.encodeIds(text)],
  ['Strand WordTokenizer, encodeIds', () => words.encodeIds(text)],
]);

const peerSeconds = results.get('js-tiktoken cl100k, encode');
console.log(
  `\ntiny Shakespeare: ${megabytes.toFixed(3)} MB, ${ours.length} cl100k tokens; median of ${repetitions} runs\n`,
);
console.log('| tokenizer | median ms | MB/s | vs js-tiktoken |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, seconds] of results) {
  const vs = name.includes('cl100k') ? `${(peerSeconds / seconds).toFixed(2)}x` : '';
  console.log(`| ${name} | ${(seconds * 1000).toFixed(1)} | ${(megabytes / seconds).toFixed(2)} | ${vs} |`);
}
const cpu = cpus();
console.log(
  `\n${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
