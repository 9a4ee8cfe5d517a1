/** Stage 5: tokens -> text. */
import { fromByteLevel } from './byte-level.js';
import { expectTyped, unknownType } from './json-checks.js';
import { byteStringToBytes, decodeUtf8, utf8ByteString } from './utf8.js';

export type DecoderJSON =
  /** Tokens joined as they are (characters). */
  | { readonly type: 'Concat' }
  /** Tokens joined with spaces, except before closing and after opening punctuation (words). */
  | { readonly type: 'Words' }
  /** Byte-level tokens ("Ġthe") -> bytes -> UTF-8; invalid byte sequences become U+FFFD. */
  | { readonly type: 'ByteLevel' };

export interface Decoder {
  /** `special[i]` marks tokens that are special-token contents, which are emitted verbatim. */
  decode(tokens: readonly string[], special: readonly boolean[]): string;
}

const decoderTypes = ['Concat', 'Words', 'ByteLevel'] as const;

export function createDecoder(json: DecoderJSON, path = 'decoder'): Decoder {
  expectTyped(json, path);
  switch (json.type) {
    case 'Concat':
      return { decode: (tokens) => tokens.join('') };
    case 'Words':
      return { decode: joinWords };
    case 'ByteLevel':
      return { decode: decodeByteLevel };
    default:
      return unknownType('decoder', json, path, decoderTypes);
  }
}

const closing = /^[.,;:!?)\]}]$/;
const opening = /^[([{]$/;

function joinWords(tokens: readonly string[]): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (i > 0 && !closing.test(token) && !opening.test(tokens[i - 1]!)) out += ' ';
    out += token;
  }
  return out;
}

function decodeByteLevel(tokens: readonly string[], special: readonly boolean[]): string {
  let out = '';
  let bytes = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (special[i]) {
      out += decodeUtf8(byteStringToBytes(bytes)) + token;
      bytes = '';
      continue;
    }
    // A token outside the byte map (possible in foreign files) stands for its own UTF-8 bytes.
    bytes += fromByteLevel(token) ?? utf8ByteString(token);
  }
  return out + decodeUtf8(byteStringToBytes(bytes));
}
