/**
 * UTF-8 helpers for byte-level models. Bytes are held in "byte strings": one char per byte, codes
 * 0-255 (V8 stores these compactly, and they hash well as Map keys).
 *
 * A lone surrogate (possible in a JS string, impossible in UTF-8) becomes U+FFFD (EF BF BD), as
 * `TextEncoder` does; this is what `js-tiktoken` and browsers do too.
 */

/** True when every UTF-16 unit is ASCII, so the text is its own byte string. */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** UTF-8 bytes of `text` as a byte string. */
export function utf8ByteString(text: string): string {
  if (isAscii(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out += text[i];
      continue;
    }
    if (c < 0x800) {
      out += String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c < 0xe000) {
      const next = text.charCodeAt(i + 1);
      if (c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out += String.fromCharCode(
          0xf0 | (c >> 18),
          0x80 | ((c >> 12) & 0x3f),
          0x80 | ((c >> 6) & 0x3f),
          0x80 | (c & 0x3f),
        );
        continue;
      }
      c = 0xfffd;
    }
    out += String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

/**
 * For each UTF-8 byte of `text`, the UTF-16 span [unitStart, unitEnd) of the character it belongs to.
 * A token made of bytes [b0, b1) covers the original text [unitStart[b0], unitEnd[b1 - 1]).
 */
export function utf8ByteSpans(text: string): {
  readonly unitStart: Int32Array;
  readonly unitEnd: Int32Array;
} {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    const pair = c >= 0xd800 && c < 0xdc00 && next >= 0xdc00 && next < 0xe000;
    const units = pair ? 2 : 1;
    const bytes = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    for (let b = 0; b < bytes; b++) {
      starts.push(i);
      ends.push(i + units);
    }
    i += units;
  }
  return { unitStart: Int32Array.from(starts), unitEnd: Int32Array.from(ends) };
}

/** Byte string -> Uint8Array. */
export function byteStringToBytes(bytes: string): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return out;
}

const decoder = new TextDecoder('utf-8');

/** Decodes UTF-8; invalid sequences (e.g. a token that ends mid-character) become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
