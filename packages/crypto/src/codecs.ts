/**
 * Strict text codecs. Every decoder accepts exactly one spelling of each byte string (apart from the
 * documented leniencies) and throws {@link CodecError} on anything else: no whitespace, no wrong alphabet,
 * no non-zero trailing bits, no silent replacement characters.
 *
 * @module
 */
import { isBytes } from './bytes.ts';
import { CodecError } from './errors.ts';

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = `${STANDARD.slice(0, 62)}-_`;

function decodeTable(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

let standardTable: Int8Array | undefined;
let urlTable: Int8Array | undefined;

function requireBytes(value: unknown, fn: string): Uint8Array {
  if (!isBytes(value)) throw new CodecError(`${fn}: expected a Uint8Array`);
  return value;
}

function requireString(value: unknown, fn: string): string {
  if (typeof value !== 'string') throw new CodecError(`${fn}: expected a string, got ${typeof value}`);
  return value;
}

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  const full = bytes.length - (bytes.length % 3);
  let i = 0;
  for (; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - full;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

function decode(text: string, table: Int8Array, fn: string, padding: 'required' | 'optional'): Uint8Array {
  let end = text.length;
  if (padding === 'required' && end % 4 !== 0) {
    throw new CodecError(`${fn}: length ${end} is not a multiple of 4`);
  }
  // Strip at most two '=' and require them to complete a 4-character group exactly.
  let pads = 0;
  while (end > 0 && text.charCodeAt(end - 1) === 61 && pads < 2) {
    end--;
    pads++;
  }
  if (pads > 0 && text.length % 4 !== 0) throw new CodecError(`${fn}: padded input must be a multiple of 4`);
  const rest = end % 4;
  if (rest === 1) throw new CodecError(`${fn}: length ${end} (without padding) is impossible`);
  if (pads > 0 && pads !== (4 - rest) % 4) throw new CodecError(`${fn}: wrong amount of padding`);
  const out = new Uint8Array((end >>> 2) * 3 + (rest === 0 ? 0 : rest - 1));
  const value = (index: number): number => {
    const code = text.charCodeAt(index);
    const v = code < 128 ? table[code]! : -1;
    if (v < 0) throw new CodecError(`${fn}: invalid character at position ${index}`);
    return v;
  };
  const full = end - rest;
  let o = 0;
  for (let i = 0; i < full; i += 4) {
    const n = (value(i) << 18) | (value(i + 1) << 12) | (value(i + 2) << 6) | value(i + 3);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  if (rest === 2) {
    const n = (value(full) << 18) | (value(full + 1) << 12);
    if (n & 0xffff) throw new CodecError(`${fn}: non-zero trailing bits (not canonical)`);
    out[o] = n >>> 16;
  } else if (rest === 3) {
    const n = (value(full) << 18) | (value(full + 1) << 12) | (value(full + 2) << 6);
    if (n & 0xff) throw new CodecError(`${fn}: non-zero trailing bits (not canonical)`);
    out[o++] = n >>> 16;
    out[o] = (n >>> 8) & 255;
  }
  return out;
}

/**
 * Encodes bytes as standard base64 (`+/`) with `=` padding (RFC 4648 §4).
 *
 * @example
 * ```ts
 * base64Encode(new Uint8Array([0xfb, 0xff])); // '+/8='
 * ```
 */
export function base64Encode(bytes: Uint8Array): string {
  return encode(requireBytes(bytes, 'base64Encode'), STANDARD, true);
}

/**
 * Decodes standard base64 (`+/`). Padding is required (length a multiple of 4); the URL alphabet,
 * whitespace, misplaced `=` and non-zero trailing bits are refused with {@link CodecError}.
 */
export function base64Decode(text: string): Uint8Array {
  standardTable ??= decodeTable(STANDARD);
  return decode(requireString(text, 'base64Decode'), standardTable, 'base64Decode', 'required');
}

/**
 * Encodes bytes as base64url (`-_`, RFC 4648 §5) without padding, the form of Airlock keys and PKCE values.
 *
 * @example
 * ```ts
 * base64UrlEncode(new Uint8Array([0xfb, 0xff])); // '-_8'
 * ```
 */
export function base64UrlEncode(bytes: Uint8Array): string {
  return encode(requireBytes(bytes, 'base64UrlEncode'), URL_SAFE, false);
}

/**
 * Decodes base64url. Unpadded input is the norm; correctly padded input (`-_8=`) is also accepted because
 * some peers send it (the Python SDK does). The standard alphabet (`+/`), whitespace, wrong padding and
 * non-zero trailing bits are refused with {@link CodecError}.
 */
export function base64UrlDecode(text: string): Uint8Array {
  urlTable ??= decodeTable(URL_SAFE);
  return decode(requireString(text, 'base64UrlDecode'), urlTable, 'base64UrlDecode', 'optional');
}

const HEX = '0123456789abcdef';
let hexPairs: string[] | undefined;

/**
 * Encodes bytes as lowercase hex.
 *
 * @example
 * ```ts
 * hexEncode(new Uint8Array([0xab, 0x01])); // 'ab01'
 * ```
 */
export function hexEncode(bytes: Uint8Array): string {
  requireBytes(bytes, 'hexEncode');
  hexPairs ??= Array.from({ length: 256 }, (_, i) => HEX[i >>> 4]! + HEX[i & 15]!);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += hexPairs[bytes[i]!]!;
  return out;
}

function hexNibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * Decodes hex. Upper- and lowercase digits are both accepted (hashes are compared case-insensitively
 * upstream); odd length, whitespace, `0x` prefixes and other characters are refused with {@link CodecError}.
 */
export function hexDecode(text: string): Uint8Array {
  requireString(text, 'hexDecode');
  if (text.length % 2 !== 0) throw new CodecError(`hexDecode: odd length ${text.length}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(text.charCodeAt(2 * i));
    const lo = hexNibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new CodecError(`hexDecode: invalid character near position ${2 * i}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

let encoder: TextEncoder | undefined;
let decoder: TextDecoder | undefined;

/** True when `text` contains no lone (unpaired) UTF-16 surrogate. */
export function isWellFormedString(text: string): boolean {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  if (typeof native === 'function') return native.call(text);
  return !/\p{Cs}/u.test(text);
}

/**
 * Encodes a string as UTF-8. A lone surrogate has no UTF-8 form and is refused with {@link CodecError}
 * (TextEncoder would silently write U+FFFD instead).
 */
export function utf8Encode(text: string): Uint8Array {
  requireString(text, 'utf8Encode');
  if (!isWellFormedString(text)) throw new CodecError('utf8Encode: the string contains a lone surrogate');
  encoder ??= new TextEncoder();
  return encoder.encode(text);
}

/**
 * Decodes UTF-8. Invalid sequences (overlong forms, surrogates, truncation) are refused with
 * {@link CodecError}; a leading byte-order mark is kept as U+FEFF, not silently dropped.
 */
export function utf8Decode(bytes: Uint8Array): string {
  requireBytes(bytes, 'utf8Decode');
  decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new CodecError('utf8Decode: the bytes are not valid UTF-8', { cause });
  }
}
