/** Seeded random Unicode strings for property tests. Not part of the built package. */
import { Rng } from '@strand/base';

/** A seeded uniform [0, 1) source: base's `Rng` (Strand's one generator). */
export function rng(seed: number): () => number {
  const generator = new Rng(seed);
  return () => generator.next();
}

const pools: readonly (readonly [number, number])[] = [
  [0x20, 0x7e], // ASCII
  [0x20, 0x7e],
  [0x09, 0x0d], // whitespace controls
  [0xc0, 0x24f], // Latin extended
  [0x300, 0x36f], // combining marks
  [0x370, 0x3ff], // Greek
  [0x600, 0x6ff], // Arabic
  [0x900, 0x97f], // Devanagari
  [0x4e00, 0x4eff], // CJK
  [0xd800, 0xdfff], // lone surrogates
  [0x1f300, 0x1f6ff], // emoji
  [0x1f3fb, 0x1f3ff], // skin tones
  [0x200b, 0x200d], // zero-width
];

/** A random string of `length` code points drawn from mixed scripts, lone surrogates included. */
export function randomText(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = pools[Math.floor(random() * pools.length)]!;
    out += String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
  }
  return out;
}

/** `text` with every lone surrogate replaced by U+FFFD (what a UTF-8 round trip gives). */
export function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\ufffd');
}
