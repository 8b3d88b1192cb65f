/**
 * HKDF-SHA256 (RFC 5869).
 *
 * @module
 */
import { type BackendOptions, backendMethod } from './backend.ts';
import { assertBytes, isBytes } from './bytes.ts';
import { utf8Encode } from './codecs.ts';
import { CryptoError } from './errors.ts';

/** Inputs of {@link hkdfSha256}. */
export interface HkdfParams {
  /** Input keying material (e.g. an X25519 shared secret). */
  ikm: Uint8Array;
  /**
   * Optional salt. Omitted (or empty) means "no salt", which RFC 5869 defines as 32 zero bytes; both spellings
   * give the same key.
   */
  salt?: Uint8Array;
  /** Context and application specific information; a string is taken as UTF-8. Default: empty. */
  info?: Uint8Array | string;
  /** Output length in bytes, 1 to 8160 (255 × 32). */
  length: number;
}

/**
 * HKDF-SHA256 extract-and-expand (RFC 5869).
 *
 * @example
 * ```ts
 * const key = await hkdfSha256({ ikm: sharedSecret, info: 'HARP-E2E-AES256GCM', length: 32 });
 * ```
 * @throws {CryptoError} `invalid_argument` for a non-bytes input or a length outside 1…8160.
 */
export async function hkdfSha256(params: HkdfParams, options?: BackendOptions): Promise<Uint8Array> {
  const ikm = assertBytes(params?.ikm, 'hkdfSha256: ikm');
  const salt = params.salt === undefined ? undefined : assertBytes(params.salt, 'hkdfSha256: salt');
  const info =
    params.info === undefined
      ? new Uint8Array(0)
      : typeof params.info === 'string'
        ? utf8Encode(params.info)
        : isBytes(params.info)
          ? params.info
          : assertBytes(params.info, 'hkdfSha256: info');
  const { length } = params;
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new CryptoError(`hkdfSha256: length must be an integer from 1 to 8160, got ${length}`, {
      code: 'invalid_argument',
    });
  }
  return backendMethod(options, 'hkdfSha256')(ikm, salt, info, length);
}
