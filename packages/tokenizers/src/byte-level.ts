/**
 * GPT-2's reversible byte <-> printable-character map, used by HF tokenizer.json to write byte tokens as
 * text: printable Latin-1 bytes stand for themselves; the other 68 bytes (controls, space, soft hyphen...)
 * map to U+0100..U+0143 in byte order. So the token " the" (bytes 20 74 68 65) is written "Ġthe".
 */

const byteToChar: readonly string[] = (() => {
  const chars: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars[b] = String.fromCharCode(printable ? b : next++);
  }
  return chars;
})();

const byteToCode = Uint16Array.from(byteToChar, (c) => c.charCodeAt(0));
/** Character code (all below 0x144) -> byte, -1 outside the map. */
const codeToByte = new Int16Array(0x144).fill(-1);
byteToCode.forEach((code, byte) => {
  codeToByte[code] = byte;
});

const scratch: number[] = [];

/** String.fromCharCode over `codes`, in slices so that long tokens stay under engines' argument limits. */
function fromCodes(codes: number[]): string {
  if (codes.length <= 4096) return String.fromCharCode.apply(null, codes);
  let out = '';
  for (let i = 0; i < codes.length; i += 4096)
    out += String.fromCharCode.apply(null, codes.slice(i, i + 4096));
  return out;
}

/** Byte string -> byte-level token text ("\x20the" -> "Ġthe"). */
export function toByteLevel(bytes: string): string {
  scratch.length = bytes.length;
  for (let i = 0; i < bytes.length; i++) scratch[i] = byteToCode[bytes.charCodeAt(i)]!;
  return fromCodes(scratch);
}

/** Byte-level token text -> byte string, or undefined if a character is outside the map. */
export function fromByteLevel(token: string): string | undefined {
  scratch.length = token.length;
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    const byte = code < 0x144 ? codeToByte[code]! : -1;
    if (byte < 0) return undefined;
    scratch[i] = byte;
  }
  return fromCodes(scratch);
}
