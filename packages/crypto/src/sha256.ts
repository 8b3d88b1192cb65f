/**
 * SHA-256.
 *
 * @module
 */
import { type BackendOptions, backendMethod } from './backend.ts';
import { isBytes } from './bytes.ts';
import { hexEncode, utf8Encode } from './codecs.ts';
import { CryptoError } from './errors.ts';

function input(data: Uint8Array | string): Uint8Array {
  if (typeof data === 'string') return utf8Encode(data);
  if (!isBytes(data))
    throw new CryptoError('sha256: data must be a Uint8Array or a string', { code: 'invalid_argument' });
  return data;
}

/**
 * SHA-256 digest (32 bytes). A string is hashed as its UTF-8 bytes (a lone surrogate is refused).
 *
 * @example
 * ```ts
 * const digest = await sha256(new Uint8Array([1, 2, 3]));
 * ```
 */
export async function sha256(data: Uint8Array | string, options?: BackendOptions): Promise<Uint8Array> {
  return backendMethod(options, 'sha256')(input(data));
}

/**
 * SHA-256 as lowercase hex: the form of Airlock's `artifactHash` and `sha256Hex(s)` helpers.
 *
 * @example
 * ```ts
 * await sha256Hex(canonicalize({ value: 42, action: 'test' }));
 * // 'd3c2d7effb479ffc5085aad2144df886a452a4863396060f4e0ea29a8409d0fd'
 * ```
 */
export async function sha256Hex(data: Uint8Array | string, options?: BackendOptions): Promise<string> {
  return hexEncode(await sha256(data, options));
}
